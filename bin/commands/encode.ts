import type { Argv } from "yargs";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import type { Message } from "../../src/iso8583/message.js";
import { pack } from "../../src/iso8583/pack.js";
import { UsageError } from "../../api/usageError.js";
import { readTextSource } from "../input.js";

export const encodeCommand = {
  builder: (y: Argv) =>
    y
      .option("dialect", { alias: "d", type: "string", demandOption: true, describe: "built-in dialect name or path to a dialect JSON file" })
      .option("json", { type: "string", demandOption: true, requiresArg: true, describe: 'file holding {"mti", "header"?, "fields"}; - for standard input' })
      .example(`echo '{"mti":"0800","fields":{"11":"000001","41":"TERM0001"}}' | isoconf encode -d iso87ascii --json -`, "a sign-on as a hex frame")
      .example("isoconf decode -d cup --json --no-mask --file frame.hex > m.json && isoconf encode -d cup --json m.json", "decode, edit m.json, encode again"),
  handler: async (argv: { dialect: string; json: string }): Promise<number> => {
    const dialect = resolveDialect(argv.dialect);
    const text = await readTextSource(argv.json);
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch (e) {
      throw new UsageError(`${argv.json === "-" ? "standard input" : argv.json} is not valid JSON (${(e as Error).message})`);
    }
    process.stdout.write(pack(dialect, message).toString("hex").toUpperCase() + "\n");
    return 0;
  },
};
