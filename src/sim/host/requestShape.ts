import type { Dialect } from "../../iso8583/dialect.js";
import type { Operation } from "../../iso8583/dialectTable.js";
import type { Message } from "../../iso8583/message.js";
import { batchOf, decodeTotals, isReversal, panOf, parseOriginalData, requestRule, reversedStan, rulesOf } from "../../protocol/index.js";

/** What the reference host serves: the dialect's operations, its advices, and reversals of them. */
export type HostOperation = Operation | "advice" | "reversal";

const CARD_OPS: ReadonlySet<HostOperation> = new Set(["balance", "purchase", "preauth", "refund", "void", "advice"]);
export const AMOUNT_OPS: ReadonlySet<HostOperation> = new Set(["purchase", "preauth", "refund", "void", "advice"]);

/**
 * The first field a request lacks for its operation (the answer is then a format error), or
 * undefined. Every request names its STAN and terminal; a CUP request its batch (60.2), an ISO 87
 * one its transmission time (7), which is how later messages refer to it.
 */
export function missingField(dialect: Dialect, op: HostOperation, m: Message): string | undefined {
  const f = m.fields;
  const cup = rulesOf(dialect).style === "cup";
  if (cup && !/^\d{6}$/.test(batchOf(dialect, m) ?? "")) return "60 (batch)";
  if (!cup && f["7"] === undefined) return "7";
  if (CARD_OPS.has(op) && panOf(m) === undefined) return "2 or 35 (card)";
  if (AMOUNT_OPS.has(op) && f["4"] === undefined) return "4";
  if ((op === "void" || (op === "reversal" && !cup)) && targetKey(dialect, m) === undefined) return cup ? "61" : "90";
  if (op === "refund" && f["37"] === undefined && targetKey(dialect, m) === undefined) return cup ? "37 or 61" : "37 or 90";
  if (op === "settlement" && decodeTotals(dialect, m) === undefined) return cup ? "48" : "74, 76, 86 and 88";
  // The fields the dialect says this host wants on the operation (`operations.*.fields`).
  if (op !== "reversal") for (const k of Object.keys(requestRule(dialect, op).fields ?? {})) if (f[k] === undefined) return k;
  return undefined;
}

/**
 * The reference the host files a financial request under: batch and STAN (CUP, where STANs are
 * unique within a batch), or STAN and transmission time (ISO 87). `batch` is the one it posts to.
 */
export function fileKey(dialect: Dialect, m: Message, batch: string): string {
  return rulesOf(dialect).style === "cup" ? `${batch}|${m.fields["11"]}` : `${m.fields["11"]}|${m.fields["7"]}`;
}

/**
 * The `fileKey` of the original a reversal, void or refund names: a CUP reversal by its own STAN
 * and batch, a CUP void or refund by field 61 (batch + STAN), ISO 87 by field 90 (original
 * STAN and transmission time). Undefined when the message does not say.
 */
export function targetKey(dialect: Dialect, m: Message): string | undefined {
  if (rulesOf(dialect).style === "cup") {
    if (isReversal(dialect, m)) return `${batchOf(dialect, m)}|${reversedStan(dialect, m)}`;
    const f61 = m.fields["61"];
    return f61 === undefined || f61.length < 12 ? undefined : `${f61.slice(0, 6)}|${f61.slice(6, 12)}`;
  }
  const f90 = m.fields["90"];
  if (f90 === undefined) return undefined;
  const o = parseOriginalData(f90);
  return `${o.stan}|${o.transmission}`;
}
