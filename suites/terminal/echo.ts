import { rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { describeRequest, evidence, needsReversal, nextTransaction, terminalLedger } from "./ledger.js";

// CUP terminal acceptance (docs/protocol-notes.md §2.4, LiaoYang `ProcRspPacket`): MTI + 10, DE3, DE11,
// DE41 equal, DE42 on approval, DE4 equal; anything else is an error, reversed with reason 06. An
// answer that does not decode has none of these checks to pass ("len+2 == received", §3 framing):
// a code read out of half a frame is no approval.
export const T_ECHO_1: Property = {
  id: "T-ECHO-1",
  title: "A mismatched or truncated answer is not taken for an approval",
  requirement:
    "An answer whose MTI, STAN, terminal ID or amount does not match the request, or that does not decode (a truncated one among them), MUST NOT be treated as an approval, whatever response code it carries.",
  reference: "CUP POS terminal response checks (docs/protocol-notes.md §2.4); ISO 8583:1987 §4.3",
  role: "terminal",
  judges: "mismatched or undecodable answers carrying an approval code",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    const approved = rulesOf(ctx.dialect).codes.approved;
    for (const r of l.requests) {
      const v = r.verdict;
      if (r.reversal || v.kind !== "invalid") continue;
      const undecoded = v.undecoded?.code === approved ? v.undecoded : undefined;
      if (undecoded === undefined && (v.mismatches.length === 0 || v.answer?.message?.fields["39"] !== approved)) continue;
      judged++;
      const wrong = v.mismatches.map((m) => (m.field === "mti" ? `MTI ${m.actual}` : `field ${m.field} = ${m.actual ?? "absent"}`)).join(", ");
      const bad = undecoded === undefined ? `does not match it (${wrong})` : `${undecoded.truncated ? "is truncated" : "does not decode"} but carries ${approved}`;
      // Said in so many words: "no reversal" alone does not tell a lab what the terminal took the answer for.
      const taken = undecoded === undefined ? "" : `: ${undecoded.truncated ? "a truncated answer" : "an answer that does not decode"} was taken for an approval`;
      // The terminal's own word where the control adapter reports one; else what it did next.
      const reported = l.results.get(r);
      if (reported !== undefined && reported.result.outcome !== "unknown") {
        if (reported.result.outcome !== "approved") continue;
        out.push({
          message: `the answer to ${describeRequest(r)} ${bad}, yet the terminal reported an approval${taken}`,
          expected: "the transaction reported as failed (and reversed)",
          actual: `reported ${reported.result.outcome}${reported.result.message ? `: ${reported.result.message}` : ""}`,
          events: [...evidence(r), reported.event.seq],
        });
        continue;
      }
      const next = nextTransaction(l, r);
      if (!needsReversal(l, r) || next === undefined || (l.histories.get(r)?.groups[0]?.[0].index ?? Infinity) < next.index) continue;
      out.push({
        message: `the answer to ${describeRequest(r)} ${bad}, and the terminal went on to ${describeRequest(next)} without reversing it, as after an approval${taken}`,
        expected: "a reversal before the next transaction",
        actual: "no reversal",
        events: [...evidence(r), next.event.seq],
      });
    }
    return { judged, violations: out };
  },
};
