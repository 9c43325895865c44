import { ABANDONED_FRAME } from "../../src/trace/traceRecorder.js";
import type { Property } from "../../src/runner/property.js";

// ISO 8583:1987 §4 and the dialect's field table: a message a terminal cannot parse is no answer.
export const H_FMT_1: Property = {
  id: "H-FMT-1",
  title: "Responses decode under the dialect",
  requirement: "Every response MUST decode under the dialect, and its length header MUST match its body.",
  reference: "ISO 8583:1987 §4 (message structure); the dialect's field table and framing",
  role: "host",
  judges: "frames from the host",
  check(_s, trace) {
    const out = [];
    let judged = 0;
    for (const e of trace) {
      if (e.dir !== "sut→kit") continue;
      // A frame the kit hung up on (after a timeout) is the timeout's evidence, not a framing error.
      if (e.kind === "link-error" && e.detail?.code === ABANDONED_FRAME.code) continue;
      if (e.kind === "frame" || e.kind === "link-error") judged++;
      if (e.kind === "frame" && e.decodeError) {
        const err = e.decodeError;
        out.push({
          message: `a response from the host does not decode: field ${err.field}, offset ${err.offset}: ${err.reason}`,
          expected: "a message that decodes under the dialect",
          actual: `${err.kind} at field ${err.field}, offset ${err.offset}`,
          events: [e.seq],
        });
      } else if (e.kind === "link-error") {
        out.push({
          message: `the host's framing is broken: ${e.text ?? e.detail?.reason ?? "framing error"}`,
          expected: "a length header that matches its body",
          actual: String(e.text ?? e.detail?.reason ?? "framing error"),
          events: [e.seq],
        });
      }
    }
    return { judged, violations: out };
  },
};
