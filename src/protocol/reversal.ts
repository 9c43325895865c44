import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import { originalData, panOf, parseOriginalData, timeFields } from "./fields.js";
import { rulesOf } from "./rules.js";

/** Why a terminal reverses: no answer in time, a bad MAC on an approval, anything else. */
export type ReversalCause = "no_answer" | "bad_mac" | "other";

/** Fields a reversal must not carry: tracks, PIN data, and the RRN it never got (CUP `MakeReversalPack`). */
const DROPPED = ["35", "36", "52", "26", "53", "37", "14", "12", "13"];

/**
 * The reversal of `original`: a copy with the reversal MTI, the reason in field 39 and the
 * sensitive fields removed (the PAN stays in field 2 so the host can identify the card). CUP
 * reuses the original STAN; ISO 87 takes `newStan` and names the original in field 90.
 */
export function buildReversal(dialect: Dialect, original: Message, cause: ReversalCause, opts: { newStan?: string; auth?: string; now: Date }): Message {
  const rules = rulesOf(dialect);
  const fields: Record<string, string> = { ...original.fields };
  for (const k of DROPPED) delete fields[k];
  delete fields[String(dialect.table.mac?.field ?? 64)];
  const pan = panOf(original);
  if (pan !== undefined) fields["2"] = pan;
  fields["39"] = rules.reversal.reasons[cause];
  if (opts.auth !== undefined) fields["38"] = opts.auth;
  if (rules.reversal.stan === "new") {
    if (opts.newStan === undefined) throw new Error(`dialect ${dialect.name} gives reversals a new STAN: pass newStan`);
    fields["11"] = opts.newStan;
    Object.assign(fields, timeFields(dialect, opts.now, ["7"]));
    fields["90"] = originalData(original.mti, original.fields["11"] ?? "000000", original.fields["7"] ?? "0000000000");
  }
  const m: Message = { mti: rules.reversal.mti, fields };
  if (original.header !== undefined) m.header = original.header;
  return m;
}

/** Whether `m` is a reversal in this dialect (0400, or its repeat 0401). */
export function isReversal(dialect: Dialect, m: Message): boolean {
  const mti = rulesOf(dialect).reversal.mti;
  return m.mti.slice(0, 3) === mti.slice(0, 3);
}

/**
 * The STAN of the original a reversal undoes: its own STAN (CUP), or the one in field 90.
 * Undefined when the reversal does not say.
 */
export function reversedStan(dialect: Dialect, reversal: Message): string | undefined {
  if (rulesOf(dialect).reversal.stan === "same") return reversal.fields["11"];
  const f90 = reversal.fields["90"];
  return f90 === undefined ? undefined : parseOriginalData(f90).stan;
}
