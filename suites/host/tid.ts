import { rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { codeOf, ledger } from "./ledger.js";

// CUP response code 97 "终端未登记" (docs/protocol-notes.md §2.6): the terminal ID is not registered.
export const H_TID_1: Property = {
  id: "H-TID-1",
  title: "Unregistered terminals are refused",
  requirement: "A request from an unregistered terminal ID MUST be declined with the dialect's unknown-terminal code (CUP: 97) and MUST NOT change any totals.",
  reference: "CUP response code 97, terminal not registered (docs/protocol-notes.md §2.6)",
  role: "host",
  judges: "answered requests from unregistered terminals",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const want = rulesOf(ctx.dialect).codes.unknown_terminal;
    for (const x of ledger(ctx.dialect, trace).exchanges) {
      const tid = x.request.message!.fields["41"];
      if (tid === undefined || ctx.registeredTerminals.includes(tid) || x.responses.length === 0) continue;
      judged++;
      const code = codeOf(x);
      if (code !== want) {
        out.push({
          message: `unregistered terminal ${tid} got ${code ?? "no response code"} for ${x.request.message!.mti}`,
          expected: `response code ${want}`,
          actual: `response code ${code ?? "absent"}`,
          events: [x.request.seq, x.responses[0].seq],
        });
      }
    }
    return { judged, violations: out };
  },
};
