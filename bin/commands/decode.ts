import { createInterface } from "node:readline";
import type { Argv } from "yargs";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { dumpFrame, renderFrameDump } from "../../reports/frameDump.js";
import { responseMeaning } from "../../reports/responseMeaning.js";
import { UsageError } from "../../api/usageError.js";
import { hexToBytes, readTextSource } from "../input.js";

interface DecodeArgs {
  dialect: string;
  hex?: string;
  file?: string;
  json: boolean;
  "hex-lines"?: boolean;
  mask: boolean;
}

/** The stable JSON shape of one decode result: a message, or an error naming field and offset. */
function jsonResult(dialect: Dialect, frame: Buffer, mask: boolean): { ok: boolean; text: string } {
  const d = dumpFrame(dialect, frame, mask);
  if (d.error) return { ok: false, text: JSON.stringify({ error: d.error.toJSON() }) };
  const m = d.message!;
  return { ok: true, text: JSON.stringify(m.header === undefined ? { mti: m.mti, fields: m.fields } : { mti: m.mti, header: m.header, fields: m.fields }) };
}

async function decodeLines(dialect: Dialect, mask: boolean): Promise<number> {
  let failures = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    // One result per input line, so output line N answers input line N: a blank line says so.
    if (line.trim() === "") {
      process.stdout.write('{"empty":true}\n');
      continue;
    }
    let text: string;
    try {
      text = jsonResult(dialect, hexToBytes(line, "line"), mask).text;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      text = JSON.stringify({ error: { field: "input", offset: null, kind: "bad_input", reason: e.message } });
    }
    if (text.startsWith('{"error"')) failures++;
    process.stdout.write(text + "\n");
  }
  return failures === 0 ? 0 : 2;
}

export const decodeCommand = {
  builder: (y: Argv) =>
    y
      .option("dialect", { alias: "d", type: "string", demandOption: true, describe: "built-in dialect name or path to a dialect JSON file" })
      .option("hex", { type: "string", requiresArg: true, describe: "the frame as hex (no transport length prefix)" })
      .option("file", { alias: "f", type: "string", requiresArg: true, describe: "a file holding the frame as hex; - for standard input" })
      .option("json", { type: "boolean", default: false, describe: 'print {"mti", "fields"} or {"error": {field, offset, reason}}' })
      .option("hex-lines", { type: "boolean", describe: "read one hex frame per line from standard input, print one JSON result per line" })
      .option("mask", { type: "boolean", default: true, describe: "mask card data (--no-mask shows it)" })
      .check((a) => {
        if ([a.hex !== undefined, a.file !== undefined, a["hex-lines"] === true].filter(Boolean).length > 1) {
          throw new UsageError("give one of --hex, --file or --hex-lines");
        }
        return true;
      })
      .example("isoconf decode -d cup --hex 600003000060310000000008000020000000C000120000015445524D3030303131323334353637383930313233343500110000000100300003303031", "a CUP sign-on, field by field (card data masked)")
      .example("isoconf decode -d iso87ascii --json --file frame.hex", "as JSON, from a file")
      .example("cut -f3 wire.log | isoconf decode -d cup --hex-lines", "decode a whole log, one JSON line per frame"),
  handler: async (argv: DecodeArgs): Promise<number> => {
    const dialect = resolveDialect(argv.dialect);
    if (argv["hex-lines"]) return decodeLines(dialect, argv.mask);
    if (argv.hex === undefined && argv.file === undefined) throw new UsageError("give the frame with --hex HEX, --file FILE (- for standard input) or --hex-lines");
    const frame = hexToBytes(argv.hex ?? (await readTextSource(argv.file!)), argv.hex !== undefined ? "--hex" : argv.file!);
    if (argv.json) {
      const r = jsonResult(dialect, frame, argv.mask);
      process.stdout.write(r.text + "\n");
      return r.ok ? 0 : 2;
    }
    const d = dumpFrame(dialect, frame, argv.mask);
    process.stdout.write(renderFrameDump(d, (field, value) => responseMeaning(dialect, field, value)) + "\n");
    if (!argv.mask) process.stdout.write("masking is off: card data above is in clear\n");
    return d.error ? 2 : 0;
  },
};
