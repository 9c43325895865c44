import { decodeTotals, referencedStan, rulesOf, sameTotals, tally, type Tallied, type Totals } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { closesBatch, describeRequest, terminalLedger, type TerminalRequest, type TerminalLedger } from "./ledger.js";

const format = (t: Totals) => `debits ${t.debitCount}/${(t.debitAmount / 100).toFixed(2)}, credits ${t.creditCount}/${(t.creditAmount / 100).toFixed(2)}`;

/**
 * What a batch's requests must total, as the host answered them: purchases (debits)
 * and refunds (credits) with a valid approval, less those an approved void or an answered
 * reversal took back. Undefined when the trace cannot tell (an answer it cannot judge, a
 * reversal of an approval that went unanswered).
 */
function expectedTotals(l: TerminalLedger, batch: TerminalRequest[]): Totals | undefined {
  const approved = rulesOf(l.dialect).codes.approved;
  const ok = (r: TerminalRequest) => r.verdict.kind === "valid" && r.verdict.code === approved;
  if (batch.some((r) => r.verdict.kind === "unclear")) return undefined;
  const entries: Tallied[] = [];
  for (const r of batch) {
    if (!ok(r) || (r.op !== "purchase" && r.op !== "refund")) continue;
    const stan = r.message.fields["11"];
    const voided = r.op === "purchase" && batch.some((v) => v.op === "void" && v.index > r.index && ok(v) && referencedStan(l.dialect, v.message) === stan);
    const h = l.histories.get(r);
    // An approval the terminal reversed counts as reversed once the host answered the reversal.
    if (h !== undefined && !h.groups.flat().some((s) => s.verdict.kind === "valid")) return undefined;
    entries.push({ op: r.op, amount: Number(r.message.fields["4"] ?? 0), cancelled: voided || h !== undefined });
  }
  return tally(entries);
}

// CUP 0500 field 48 (docs/protocol-notes.md §2.4): the terminal's domestic debit and credit totals for
// the batch; ISO 8583:1987 0500 fields 74-88. They must be what the host approved, less what was
// taken back, or the merchant's day does not reconcile.
export const T_SET_1: Property = {
  id: "T-SET-1",
  title: "Settlement totals are what the host approved, less what was taken back",
  requirement: "A settlement's totals MUST equal the batch's approved purchases and refunds, less the voided and the reversed ones.",
  reference: "CUP settlement 0500/0510, field 48 (docs/protocol-notes.md §2.4); ISO 8583:1987 0500 fields 74-88",
  role: "terminal",
  judges: "settlements of batches seen from their start",
  needs: "settlement",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    // A batch is judged only from a settlement that closed the previous one in this trace: what
    // came before (an earlier scenario, on a real terminal) is unknown.
    let start: number | undefined;
    for (const r of l.requests) {
      if (r.op !== "settlement") continue;
      if (start !== undefined) {
        judged++;
        const sent = decodeTotals(ctx.dialect, r.message);
        const expected = expectedTotals(l, l.requests.slice(start, r.index));
        if (sent === undefined) {
          out.push({ message: `${describeRequest(r)} carries no totals`, expected: "the batch totals", actual: "no totals", events: [r.event.seq] });
        } else if (expected !== undefined && !sameTotals(sent, expected)) {
          out.push({
            message: `the terminal settled ${format(sent)}, but the host approved ${format(expected)}, less what was voided and reversed`,
            expected: format(expected),
            actual: format(sent),
            events: [...l.requests.slice(start, r.index).filter((x) => x.op === "purchase" || x.op === "refund" || x.op === "void" || x.reversal).map((x) => x.event.seq), r.event.seq],
          });
        }
      }
      if (closesBatch(l, r)) start = r.index + 1;
    }
    return { judged, violations: out };
  },
};
