import { ABANDONED_FRAME } from "../../src/trace/traceRecorder.js";
import { responseMti, rulesOf } from "../../src/protocol/index.js";
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

// ISO 8583:1987, data element 4 (amount, transaction): n 12, digits only; a request that breaks its field table is a
// format error (response code 30), never a transaction. A lax parser that reads "-00000001000"
// as -10.00 turns a purchase into a credit.
export const H_FMT_2: Property = {
  id: "H-FMT-2",
  title: "Requests that break the field table are not approved",
  requirement: "A request whose amount (field 4) is not n-class digits (a sign, spaces) MUST NOT be approved: a format error (30) or a decline.",
  reference: "ISO 8583:1987 data element 4 (amount, transaction: n 12); the dialect's field table; response code 30, format error",
  role: "host",
  judges: "answered requests with a hostile amount",
  check(s, trace, ctx) {
    const out = [];
    let judged = 0;
    const approved = rulesOf(ctx.dialect).codes.approved;
    for (const [i, e] of trace.entries()) {
      if (e.kind !== "fault" || e.detail.fault !== "hostile_amount" || e.step === undefined) continue;
      // The hostile request is the kit's next frame in the step; its answer the host's next on that connection.
      const rest = trace.slice(i + 1).filter((x) => x.step === e.step);
      const sent = rest.find((x) => x.kind === "frame" && x.dir === "kit→sut");
      // A response to it, not a request the host started itself (an echo test, a key exchange).
      // The hostile request does not decode (that is the point): its MTI is in the fault's detail.
      const answerMti = responseMti(String(e.detail.mti ?? ""));
      const answer = sent && rest.find((x) => x.seq > sent.seq && x.kind === "frame" && x.dir === "sut→kit" && x.conn === sent.conn && x.message?.mti === answerMti);
      if (answer?.kind !== "frame") continue;
      judged++;
      const code = answer.message?.fields["39"];
      if (code !== approved) continue;
      const op = s.role === "host" ? s.steps[e.step]?.op : undefined;
      out.push({
        message: `approved a ${op ?? "request"} whose amount was '${String(e.detail.amount)}'`,
        expected: `a format error (${rulesOf(ctx.dialect).codes.format_error}) or a decline`,
        actual: `response code ${code}${answer.message?.fields["38"] ? `, authorisation ${answer.message.fields["38"]}` : ""}`,
        events: [e.seq, sent!.seq, answer.seq],
      });
    }
    return { judged, violations: out };
  },
};
