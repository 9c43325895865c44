import type { Property, Violation } from "../../src/runner/property.js";
import { ledger } from "./ledger.js";

// A host serves many terminals: one bad frame or a dropped line must not take it down
// (docs/protocol-notes.md §3: CUP terminals reconnect and resend after communication failures).
export const H_LIVE_1: Property = {
  id: "H-LIVE-1",
  title: "The host survives malformed frames and disconnects",
  requirement: "After a malformed frame or an abrupt disconnect, the host MUST still answer the next valid request.",
  reference: "Robustness of the acquirer host; communication failures are everyday events (docs/protocol-notes.md §3)",
  role: "host",
  judges: "valid requests after a malformed frame or a disconnect",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    // A host that stops accepting connections is as dead as one that stops answering.
    let judged = 0;
    for (const e of trace) {
      if (e.kind === "note" && e.detail?.connectFailed) {
        judged++;
        out.push({ message: `the host refused a connection: ${e.text}`, expected: "a connection for the next request", actual: "connection refused or timed out", events: [e.seq] });
      }
    }
    const seenSteps = new Set<number>();
    for (const x of ledger(ctx.dialect, trace).exchanges) {
      if ((x.fault !== "malformed" && x.fault !== "disconnect") || seenSteps.has(x.step)) continue;
      seenSteps.add(x.step);
      judged++;
      if (x.responses.length > 0) continue;
      const fault = trace.find((e) => e.kind === "fault" && e.step === x.step);
      out.push({
        message: `after ${x.fault === "malformed" ? "a malformed frame" : "a dropped connection"}, the host did not answer the next valid request (${x.request.message!.mti} STAN ${x.request.message!.fields["11"]})`,
        expected: "an answer to the next valid request",
        actual: "no answer",
        events: [...(fault ? [fault.seq] : []), x.request.seq],
      });
    }
    return { judged, violations: out };
  },
};
