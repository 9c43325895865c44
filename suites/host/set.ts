import { settlementBalanced } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { formatTotals, judgeable, ledger, responseOf } from "./ledger.js";

// CUP 0500/0510 (docs/protocol-notes.md §2.4): field 48 carries the terminal's totals and the reply's
// 48[30] says 1 balanced / 2 not balanced; ISO 87 answers 00 or 95 (reconcile error).
export const H_SET_1: Property = {
  id: "H-SET-1",
  title: "Settlement totals agree",
  requirement: "Settlement totals MUST equal the approved minus reversed transactions as the terminal counted them.",
  reference: "CUP settlement 0500/0510, field 48 (docs/protocol-notes.md §2.4); ISO 8583:1987 0500 fields 74-88",
  role: "host",
  judges: "settlements of batches seen from their start",
  needs: "settlement",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    const settlements = judgeable(ledger(ctx.dialect, trace), ctx);
    for (const s of settlements) {
      if (settlementBalanced(ctx.dialect, responseOf(s.exchange)!)) continue;
      out.push({
        message: `the host reports ${s.tid}'s batch as not balanced, though the terminal counted ${formatTotals(s.expected)}`,
        expected: `balanced at ${formatTotals(s.expected)}`,
        actual: "not balanced",
        events: [...s.postings.map((p) => p.approvedBy.responses[0].seq), s.exchange.request.seq, s.exchange.responses[0].seq],
      });
    }
    return { judged: settlements.length, violations: out };
  },
};
