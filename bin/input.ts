import { readFileSync } from "node:fs";
import { UsageError } from "../api/usageError.js";

/** Reads all of standard input (the caller decided stdin is the source). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Hex text as bytes; white space (as in logs and hex dumps) is ignored. */
export function hexToBytes(text: string, what: string): Buffer {
  const hex = text.replace(/\s+/g, "");
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) {
    throw new UsageError(`${what} is not hexadecimal: expected pairs of 0-9/A-F (white space is ignored)`);
  }
  return Buffer.from(hex, "hex");
}

/** Reads a text file, or standard input for `-`; a missing file is a usage error. */
export async function readTextSource(path: string): Promise<string> {
  if (path === "-") return (await readStdin()).toString("utf8");
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * What was typed after `--flag` (or `--flag=`): yargs turns a number flag's `abc` into NaN, and an
 * error should show the `abc`.
 */
export function typedValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${flag}`) return argv[i + 1];
    if (argv[i].startsWith(`--${flag}=`)) return argv[i].slice(flag.length + 3);
  }
  return undefined;
}
