import { basename } from "node:path";
import type { Argv } from "yargs";
import { BUILTIN_DIALECTS, builtinDialect, resolveDialect } from "../../src/iso8583/builtinDialects.js";
import { importJposPackager } from "../../src/iso8583/jposPackager.js";
import { UsageError } from "../../api/usageError.js";
import { readTextSource } from "../input.js";

export const dialectsCommand = {
  builder: (y: Argv) =>
    y
      .positional("name", { type: "string", describe: "a built-in dialect or a dialect file to print (after validating it), or import" })
      .positional("file", { type: "string", describe: "with import: a jPOS GenericPackager XML file" })
      .option("as", { type: "string", requiresArg: true, describe: "with import: the dialect's name (default: the file's)" })
      .example("isoconf dialects", "list them")
      .example("isoconf dialects cup > mycup.json", "copy one to change a key")
      .example("isoconf dialects import host-packager.xml > lab.json", "a dialect from a jPOS GenericPackager"),
  handler: async (argv: { name?: string; file?: string; as?: string }): Promise<number> => {
    if (argv.name === "import") {
      if (argv.file === undefined) throw new UsageError("dialects import needs a GenericPackager XML file: isoconf dialects import FILE");
      const name = argv.as ?? (basename(argv.file).replace(/\.xml$/i, "").replace(/[^A-Za-z0-9_.-]/g, "-") || "imported");
      const table = importJposPackager(await readTextSource(argv.file), name, argv.file);
      process.stdout.write(JSON.stringify(table, null, 2) + "\n");
      process.stderr.write(`isoconf: ${argv.file}: ${table.fields.length} fields imported as dialect ${name}; add framing, mac and a transactions block to run with it\n`);
      return 0;
    }
    if (argv.file !== undefined) throw new UsageError(`dialects takes one name or file; did you mean: isoconf dialects import ${argv.file}`);
    if (argv.name !== undefined) {
      process.stdout.write(JSON.stringify(resolveDialect(argv.name).table, null, 2) + "\n");
      return 0;
    }
    for (const name of BUILTIN_DIALECTS) {
      const t = builtinDialect(name).table;
      process.stdout.write(`${name.padEnd(12)} ${t.title ?? ""}\n`);
    }
    return 0;
  },
};
