import { isFinancial, rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { describeRequest, evidence, terminalLedger } from "./ledger.js";

// docs/protocol-notes.md §2.6-2.7: a valid answer, whatever its code, clears the reversal journal; a
// decline is final. 97 (终端未登记, terminal not registered) asks for the terminal's setup to be
// fixed: repeating the request on its own cannot succeed.
export const T_RC_1: Property = {
  id: "T-RC-1",
  title: "Declines are reported, not reversed; 97 is not retried",
  requirement:
    "A valid answer with any code but 00 MUST be reported as declined and MUST NOT be reversed; after 97 the terminal MUST NOT repeat the request on its own.",
  reference: "CUP response codes and reversal journal (docs/protocol-notes.md §2.6, §2.7.1); ISO 8583:1987 data element 39",
  role: "terminal",
  judges: "valid declines",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    const codes = rulesOf(ctx.dialect).codes;
    const commands = trace.filter((e) => e.kind === "control" && e.detail?.result === undefined).map((e) => e.seq);
    for (const r of l.requests) {
      const v = r.verdict;
      if (r.reversal || v.kind !== "valid" || v.code === codes.approved) continue;
      judged++;
      const reversal = [...l.originals].find(([, o]) => o === r)?.[0];
      if (reversal !== undefined) {
        out.push({
          message: `${describeRequest(r)} was declined (${v.code}) and reversed all the same`,
          expected: "no reversal of a decline",
          actual: `reversal with reason ${reversal.message.fields["39"] ?? "none"}`,
          events: [...evidence(r), reversal.event.seq],
        });
      }
      const reported = l.results.get(r);
      if (reported?.result.outcome === "approved" && isFinancial(ctx.dialect, r.message)) {
        out.push({
          message: `${describeRequest(r)} was declined (${v.code}), yet the terminal reported an approval`,
          expected: "reported as declined",
          actual: `reported ${reported.result.outcome}`,
          events: [...evidence(r), reported.event.seq],
        });
      }
      // Without commands the terminal acts on its own, and every request is its own decision.
      if (v.code !== codes.unknown_terminal || !l.driven) continue;
      const nextCommand = commands.find((seq) => seq > r.event.seq) ?? Infinity;
      const retry = l.requests.find((x) => x.index > r.index && !x.reversal && x.op === r.op && x.event.seq < nextCommand);
      if (retry !== undefined) {
        out.push({
          message: `${describeRequest(r)} was refused with ${v.code} (terminal not registered), and the terminal sent ${describeRequest(retry)} on its own`,
          expected: `no automatic retry after ${v.code}`,
          actual: `${describeRequest(retry)} without a new command`,
          events: [...evidence(r), retry.event.seq],
        });
      }
    }
    return { judged, violations: out };
  },
};
