import { batchOf, rulesOf } from "../../src/protocol/index.js";
import { ABANDONED_FRAME } from "../../src/trace/traceRecorder.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { closesBatch, describeRequest, sameMessage, terminalLedger, type TerminalRequest } from "./ledger.js";

// ISO 8583:1987 §4 and the dialect's field table: a request the host cannot parse is no request.
// DE11 (STAN) identifies a request within the terminal's batch: the terminal increments it per
// request (LiaoYang `TranNeedIncTraceNo`, docs/protocol-notes.md §2.7.6), and a host keys duplicates on it.
export const T_FMT_1: Property = {
  id: "T-FMT-1",
  title: "Requests decode; STANs are unique within a batch",
  requirement:
    "Every request MUST decode under the dialect, and no two requests of one batch MAY share a STAN, except repeats of the same message and, where the dialect reverses with the original's STAN, reversals.",
  reference: "ISO 8583:1987 §4 and data element 11; CUP STAN and batch rules (docs/protocol-notes.md §2.3, §2.4, §2.7.5-6)",
  role: "terminal",
  judges: "requests from the terminal",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    for (const e of trace) {
      if (e.dir !== "sut→kit") continue;
      // A frame the kit hung up on (after a timeout) is the timeout's evidence, not a framing error.
      if (e.kind === "link-error" && e.detail?.code === ABANDONED_FRAME.code) continue;
      if (e.kind === "frame" || e.kind === "link-error") judged++;
      if (e.kind === "frame" && e.decodeError) {
        const err = e.decodeError;
        out.push({
          message: `a request from the terminal does not decode: field ${err.field}, offset ${err.offset}: ${err.reason}`,
          expected: "a message that decodes under the dialect",
          actual: `${err.kind} at field ${err.field}, offset ${err.offset}`,
          events: [e.seq],
        });
      } else if (e.kind === "link-error") {
        out.push({
          message: `the terminal's framing is broken: ${e.text ?? e.detail?.reason ?? "framing error"}`,
          expected: "a length header that matches its body",
          actual: String(e.text ?? e.detail?.reason ?? "framing error"),
          events: [e.seq],
        });
      }
    }
    const l = terminalLedger(trace, ctx);
    // CUP names the batch in 60.2; ISO 87 has no batch field, so a closing settlement starts the next.
    const sameStanReversals = rulesOf(ctx.dialect).reversal.stan === "same";
    let epoch = 0;
    const seen = new Map<string, TerminalRequest>();
    for (const r of l.requests) {
      if (!(r.reversal && sameStanReversals)) {
        const stan = r.message.fields["11"];
        const key = `${batchOf(ctx.dialect, r.message) ?? epoch}|${stan}`;
        const earlier = seen.get(key);
        if (earlier !== undefined && !sameMessage(ctx.dialect, earlier.message, r.message)) {
          out.push({
            message: `${describeRequest(r)} reuses the STAN of ${describeRequest(earlier)} in the same batch`,
            expected: `a STAN not used before in the batch`,
            actual: `STAN ${stan} again`,
            events: [earlier.event.seq, r.event.seq],
          });
        }
        if (earlier === undefined) seen.set(key, r);
      }
      if (closesBatch(l, r)) epoch++;
    }
    return { judged, violations: out };
  },
};
