import { responseMti } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { ledger } from "./ledger.js";

// ISO 8583:1987 §4.1.2: the response's message function is the request's + 1 (0200 → 0210).
export const H_MTI_1: Property = {
  id: "H-MTI-1",
  title: "One timely response per request",
  requirement: "Every request MUST get exactly one response, with MTI = request MTI + 10, within the response timeout.",
  reference: "ISO 8583:1987 §4.1.2 (message class and function); the terminal's response timeout",
  role: "host",
  judges: "requests",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    const exchanges = ledger(ctx.dialect, trace).exchanges;
    for (const x of exchanges) {
      const req = x.request.message!;
      const want = responseMti(req.mti);
      const mti = `${req.mti} STAN ${req.fields["11"] ?? "?"}`;
      if (x.responses.length === 0) {
        out.push({ message: `${mti} got no response within ${ctx.responseTimeoutMs} ms`, expected: `one ${want}`, actual: "no response", events: [x.request.seq] });
        continue;
      }
      if (x.responses.length > 1) {
        out.push({ message: `${mti} got ${x.responses.length} responses`, expected: `one ${want}`, actual: `${x.responses.length} responses`, events: [x.request.seq, ...x.responses.map((r) => r.seq)] });
      }
      const first = x.responses[0];
      const got = first.message?.mti;
      if (got !== undefined && got !== want) {
        out.push({ message: `${mti} was answered with MTI ${got}`, expected: want, actual: got, events: [x.request.seq, first.seq] });
      }
      const late = first.t - x.request.t;
      if (late > ctx.responseTimeoutMs) {
        out.push({ message: `${mti} was answered after ${late} ms, past the ${ctx.responseTimeoutMs} ms timeout`, expected: `within ${ctx.responseTimeoutMs} ms`, actual: `${late} ms`, events: [x.request.seq, first.seq] });
      }
    }
    return { judged: exchanges.length, violations: out };
  },
};
