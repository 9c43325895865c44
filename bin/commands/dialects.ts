import type { Argv } from "yargs";
import { BUILTIN_DIALECTS, builtinDialect, resolveDialect } from "../../src/iso8583/builtinDialects.js";

export const dialectsCommand = {
  builder: (y: Argv) =>
    y
      .positional("name", { type: "string", describe: "a built-in dialect or a dialect file to print (after validating it)" })
      .example("isoconf dialects", "list them")
      .example("isoconf dialects cup > mycup.json", "copy one to change a key"),
  handler: (argv: { name?: string }): number => {
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
