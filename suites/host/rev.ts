import { rulesOf, settlementBalanced } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { balanceEvidence, balancesOnly, batchReversals, codeOf, formatMovement, formatTotals, isNoop, judgeable, ledger, type Reversal, responseOf, reversalsVouched } from "./ledger.js";

// CUP automatic reversal (冲正, docs/protocol-notes.md §2.7): an acknowledged reversal undoes its
// original, so the cardholder is refunded and the transaction leaves the batch.
export const H_REV_1: Property = {
  id: "H-REV-1",
  title: "A reversal undoes an approved transaction",
  requirement: "A reversal of an approved transaction MUST be acknowledged (00), and the transaction MUST no longer count in the totals.",
  reference: "CUP automatic reversal rules (docs/protocol-notes.md §2.7); ISO 8583:1987 0400/0410",
  role: "host",
  judges: "answered reversals of approved transactions",
  ledgerPart: "whether the transaction left the totals and the balance",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = ledger(ctx.dialect, trace);
    const approved = rulesOf(ctx.dialect).codes.approved;
    for (const r of l.reversals) {
      if (r.target === undefined || r.target.cancelledBy !== r.exchange || r.exchange.responses.length === 0) continue;
      judged++;
      const code = codeOf(r.exchange);
      if (code !== approved) {
        out.push({
          message: `the reversal of approved STAN ${r.target.stan} was answered ${code ?? "without a code"}`,
          expected: `response code ${approved}`,
          actual: `response code ${code ?? "absent"}`,
          events: [r.target.approvedBy.responses[0].seq, r.exchange.request.seq, r.exchange.responses[0].seq],
        });
      }
    }
    // The card's balance, where the SUT reports balances: the reversed amount is back on it.
    for (const b of balancesOnly(l, "undoing")) {
      if (b.observed === b.expected) continue;
      out.push({
        message: `after acknowledging the reversal of STAN ${stansOf(b.undoing)}, the card's balance moved by ${formatMovement(b.observed)}, not ${formatMovement(b.expected)}`,
        expected: `the balance moved by ${formatMovement(b.expected)}: reversed transactions are undone`,
        actual: `moved by ${formatMovement(b.observed)}`,
        events: [...b.undoing.flatMap(seqs), ...balanceEvidence(b)],
      });
    }
    for (const s of judgeable(l, ctx)) {
      const { undoing, noops, mixed } = batchReversals(s);
      if (undoing.length === 0 || settlementBalanced(ctx.dialect, responseOf(s.exchange)!)) continue;
      out.push({
        message: `after acknowledging the reversal of STAN ${undoing.map((r) => r.target!.stan).join(", ")}, the host's totals for ${s.tid} disagree with ${formatTotals(s.expected)}${mixed ? `; ${alsoHolds(noops, "must change nothing")}` : ""}`,
        expected: "settlement balanced: reversed transactions no longer count",
        actual: "settlement not balanced",
        events: [
          ...undoing.flatMap((r) => [r.target!.approvedBy.request.seq, r.exchange.request.seq, r.exchange.responses[0].seq]),
          ...(mixed ? answered(noops).flatMap(seqs) : []),
          s.exchange.request.seq,
          s.exchange.responses[0].seq,
        ],
      });
    }
    return { judged, violations: out };
  },
};

// docs/protocol-notes.md §2.7.4: a reversal answered 00, 12 or 25 is closed; a host must treat a repeated
// or unknown reversal as a no-op, or a terminal's retries would refund the cardholder twice.
export const H_REV_2: Property = {
  id: "H-REV-2",
  title: "Reversals of unknown or reversed transactions change nothing",
  requirement: "A reversal of an unknown or already reversed transaction MUST be acknowledged (00, 12 or 25) and MUST change nothing.",
  reference: "CUP reversal retries (docs/protocol-notes.md §2.7.4-5); response codes 12 and 25",
  role: "host",
  judges: "answered reversals of unknown or reversed transactions",
  ledgerPart: "whether such reversals left the totals and the balance alone",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = ledger(ctx.dialect, trace);
    const codes = rulesOf(ctx.dialect).codes;
    const acceptable = [codes.approved, codes.invalid_transaction, codes.original_not_found];
    // Unregistered terminals get 97 for everything: H-TID-1 judges those.
    const noops = l.reversals.filter((r) => isNoop(r) && ctx.registeredTerminals.includes(r.exchange.request.message!.fields["41"] ?? ""));
    for (const r of noops) {
      const code = codeOf(r.exchange);
      if (r.exchange.responses.length === 0) continue;
      judged++;
      if (code !== undefined && acceptable.includes(code)) continue;
      out.push({
        message: `a reversal of ${r.target ? "already reversed" : "unknown"} STAN ${r.exchange.request.message!.fields["11"]} was answered ${code ?? "without a code"}`,
        expected: `response code ${acceptable.join(", ")}`,
        actual: `response code ${code ?? "absent"}`,
        events: [r.exchange.request.seq, r.exchange.responses[0].seq],
      });
    }
    // The card's balance, where the SUT reports balances: such reversals leave it where it was.
    for (const b of balancesOnly(l, "noops")) {
      if (!b.noops.some((r) => ctx.registeredTerminals.includes(r.exchange.request.message.fields["41"] ?? ""))) continue;
      if (b.observed === b.expected) continue;
      out.push({
        message: `after ${b.noops.map(describeNoop).join(", ")}, the card's balance moved by ${formatMovement(b.observed)}, not ${formatMovement(b.expected)}`,
        expected: `the balance moved by ${formatMovement(b.expected)}: such reversals change nothing`,
        actual: `moved by ${formatMovement(b.observed)}`,
        events: [...b.noops.flatMap(seqs), ...balanceEvidence(b)],
      });
    }
    // A mixed batch's imbalance lies with its no-op reversals when another batch shows this host
    // applying reversals; without one, the report says that it cannot tell.
    const vouched = reversalsVouched(l, ctx);
    for (const s of judgeable(l, ctx)) {
      const { undoing, noops, mixed } = batchReversals(s);
      const mine = answered(noops);
      if (mine.length === 0 || settlementBalanced(ctx.dialect, responseOf(s.exchange)!)) continue;
      const which = mine.map(describeNoop).join(", ");
      const note = !mixed ? "" : vouched ? ` (reversals that undo balanced in ${vouched.tid}'s batch)` : `; ${alsoHolds(undoing, "had to undo")}`;
      out.push({
        message: `after ${which}, the host's totals for ${s.tid} disagree with ${formatTotals(s.expected)}${note}`,
        expected: "settlement balanced: such reversals change nothing",
        actual: "settlement not balanced",
        events: [
          ...(mixed && !vouched ? undoing.flatMap(seqs) : []),
          ...mine.flatMap(seqs),
          s.exchange.request.seq,
          s.exchange.responses[0].seq,
          ...(mixed && vouched ? [vouched.exchange.responses[0].seq] : []),
        ],
      });
    }
    return { judged, violations: out };
  },
};

const answered = (rs: Reversal[]) => rs.filter((r) => r.exchange.responses.length > 0);
const stansOf = (rs: Reversal[]) => rs.map((r) => r.target?.stan ?? r.exchange.request.message.fields["11"]).join(", ");
const describeNoop = (r: Reversal) => `${r.target ? "a repeated reversal of STAN" : "a reversal of unknown STAN"} ${r.exchange.request.message.fields["11"]}`;
const seqs = (r: Reversal) => [r.exchange.request.seq, r.exchange.responses[0].seq];

/** The other kind of reversal in a batch: a settlement's one bit cannot tell which was misapplied. */
function alsoHolds(others: Reversal[], what: string): string {
  const stans = others.map((r) => r.exchange.request.message!.fields["11"]).join(", ");
  return `the batch also holds ${others.length === 1 ? "a reversal that" : "reversals that"} ${what} (STAN ${stans}), and a settlement's balanced-or-not cannot tell which the host misapplied`;
}
