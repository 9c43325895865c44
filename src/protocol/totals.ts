import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import { rulesOf } from "./rules.js";

/** Batch totals in minor units: purchases (debits) and refunds (credits) approved and not reversed. */
export interface Totals {
  debitCount: number;
  debitAmount: number;
  creditCount: number;
  creditAmount: number;
}

export const ZERO_TOTALS: Readonly<Totals> = { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 };

const num = (n: number, width: number) => String(n).padStart(width, "0").slice(-width);

/** CUP field 48 of a 0500: domestic debit amount(12)+count(3), credit amount(12)+count(3), flag, foreign ditto, flag. */
const CUP_DOMESTIC_FLAG = 30;
const CUP_FOREIGN = "0".repeat(30) + "0";

/**
 * The settlement request's totals fields: CUP field 48 (docs/protocol-notes.md §2.4), or ISO 87
 * fields 74/76 (credit/debit counts) and 86/88 (credit/debit amounts).
 */
export function encodeTotals(dialect: Dialect, t: Totals): Record<string, string> {
  if (rulesOf(dialect).style === "cup") {
    const domestic = num(t.debitAmount, 12) + num(t.debitCount, 3) + num(t.creditAmount, 12) + num(t.creditCount, 3);
    return { "48": domestic + "0" + CUP_FOREIGN };
  }
  return { "74": num(t.creditCount, 10), "76": num(t.debitCount, 10), "86": num(t.creditAmount, 16), "88": num(t.debitAmount, 16) };
}

/** The totals a settlement message carries, or undefined when its fields are missing or malformed. */
export function decodeTotals(dialect: Dialect, m: Message): Totals | undefined {
  const f = m.fields;
  if (rulesOf(dialect).style === "cup") {
    const v = f["48"];
    if (v === undefined || !/^\d{30}/.test(v)) return undefined;
    return { debitAmount: Number(v.slice(0, 12)), debitCount: Number(v.slice(12, 15)), creditAmount: Number(v.slice(15, 27)), creditCount: Number(v.slice(27, 30)) };
  }
  if ([f["74"], f["76"], f["86"], f["88"]].some((x) => x === undefined)) return undefined;
  return { creditCount: Number(f["74"]), debitCount: Number(f["76"]), creditAmount: Number(f["86"]), debitAmount: Number(f["88"]) };
}

export const sameTotals = (a: Totals, b: Totals) =>
  a.debitCount === b.debitCount && a.debitAmount === b.debitAmount && a.creditCount === b.creditCount && a.creditAmount === b.creditAmount;

/**
 * The host's settlement verdict: CUP sets 48[30] to 1 (balanced) or 2 (not balanced) in the
 * 0510; ISO 87 answers 00 or the reconcile-error code.
 */
export function settlementReply(dialect: Dialect, request: Message, balanced: boolean): Record<string, string> {
  const rules = rulesOf(dialect);
  if (rules.style === "cup") {
    const f48 = request.fields["48"] ?? "0".repeat(62);
    const flagged = f48.slice(0, CUP_DOMESTIC_FLAG) + (balanced ? "1" : "2") + f48.slice(CUP_DOMESTIC_FLAG + 1);
    return { "39": rules.codes.approved, "48": flagged };
  }
  return { "39": balanced ? rules.codes.approved : rules.codes.reconcile_error };
}

/** Whether a settlement reply says the totals agreed. */
export const settlementBalanced = (dialect: Dialect, reply: Message) => settlementVerdict(dialect, reply) === "balanced";

/**
 * The host's settlement verdict, or undefined when the reply is not one (97, A0, 96: the batch
 * was not judged at all). CUP: 00 with flag 1 or 2 in 48[30]; ISO 87: 00 or the reconcile-error code.
 */
export function settlementVerdict(dialect: Dialect, reply: Message): "balanced" | "unbalanced" | undefined {
  const rules = rulesOf(dialect);
  const code = reply.fields["39"];
  if (rules.style === "cup") {
    if (code !== rules.codes.approved) return undefined;
    const flag = reply.fields["48"]?.[CUP_DOMESTIC_FLAG];
    return flag === "1" ? "balanced" : flag === "2" ? "unbalanced" : undefined;
  }
  return code === rules.codes.approved ? "balanced" : code === rules.codes.reconcile_error ? "unbalanced" : undefined;
}

/** One transaction as batch totals see it. */
export interface Tallied {
  op: string;
  amount: number;
  /** Voided or reversed: it no longer counts. */
  cancelled: boolean;
}

/** Batch totals of a batch's transactions: purchases and advices (of purchases done offline) are debits, refunds credits, the rest nothing. */
export function tally(entries: Iterable<Tallied>): Totals {
  const t: Totals = { ...ZERO_TOTALS };
  for (const e of entries) {
    if (e.cancelled) continue;
    if (e.op === "purchase" || e.op === "advice") {
      t.debitCount++;
      t.debitAmount += e.amount;
    } else if (e.op === "refund") {
      t.creditCount++;
      t.creditAmount += e.amount;
    }
  }
  return t;
}
