import { parseBalance, rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { codeOf, ledger, responseOf } from "./ledger.js";

// ISO 8583:1987 response code 51, "not sufficient funds": funds are short when the amount is
// above what is available, not when it equals it. A host that checks `amount >= available`
// refuses a cardholder their whole balance.
export const H_BAL_1: Property = {
  id: "H-BAL-1",
  title: "The whole available balance can be spent",
  requirement: "A purchase or pre-auth of exactly the available balance the host has just reported (field 54) MUST NOT be declined for insufficient funds (51).",
  reference: "ISO 8583:1987 response code 51 (not sufficient funds); field 54 (additional amounts: available balance)",
  role: "host",
  judges: "answered requests for the whole balance the host had just reported",
  needs: "balances",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const codes = rulesOf(ctx.dialect).codes;
    const all = ledger(ctx.dialect, trace).exchanges;
    for (const e of trace) {
      if (e.kind !== "fault" || e.detail.fault !== "whole_balance" || typeof e.detail.amount !== "number") continue;
      // The kit's inquiry just before the fault event, and its request for that amount just after, in the same step.
      const inquiry = all.findLast((x) => x.request.seq < e.seq && x.step === e.step);
      const spend = all.find((x) => x.request.seq > e.seq && x.step === e.step);
      if (inquiry === undefined || spend === undefined || codeOf(spend) === undefined) continue;
      const reported = codeOf(inquiry) === codes.approved ? parseBalance(responseOf(inquiry)?.fields["54"]) : undefined;
      if (reported !== e.detail.amount || Number(spend.request.message.fields["4"]) !== reported) continue;
      judged++;
      if (codeOf(spend) !== codes.insufficient_funds) continue;
      const money = (reported / 100).toFixed(2);
      out.push({
        message: `a request for ${money}, the whole balance the host had just reported, was declined for insufficient funds`,
        expected: `approved, or declined for another reason (a limit: ${codes.exceeds_limit})`,
        actual: `response code ${codes.insufficient_funds} with ${money} available`,
        events: [inquiry.request.seq, inquiry.responses[0].seq, spend.request.seq, spend.responses[0].seq],
      });
    }
    return { judged, violations: out };
  },
};
