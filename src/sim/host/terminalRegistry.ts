import { z } from "zod";
import { DEFAULT_TMK, MERCHANT_ID } from "../defaults.js";
import type { TerminalConfig } from "./hostOptions.js";

/**
 * A terminal registry file: a JSON array of `{ "tid": "TERM0005", "mid": "123456789012345",
 * "tmk": "0123…" }`. `mid` defaults to the simulators' merchant and `tmk` to DEFAULT_TMK.
 */
const registrySchema = z
  .array(
    z
      .object({
        // Printable here; whether they fit fields 41 and 42 is the dialect's to say (isoconf sim host checks).
        tid: z.string().regex(/^[\x20-\x7e]{1,99}$/, "printable characters (field 41)"),
        mid: z.string().regex(/^[\x20-\x7e]{1,99}$/, "printable characters (field 42)").default(MERCHANT_ID),
        tmk: z.string().regex(/^(?:[0-9A-Fa-f]{16}){1,3}$/, "16, 32 or 48 hexadecimal characters").default(DEFAULT_TMK),
      })
      .strict(),
  )
  .min(1, "at least one terminal");

/** The registry in `json`; a bad entry is an error naming its index and key, `source` the file. */
export function terminalRegistry(json: unknown, source: string): TerminalConfig[] {
  const parsed = registrySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length === 0 ? "(top level)" : issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  throw new Error(`${source}: ${where}: ${issue.message}`);
}
