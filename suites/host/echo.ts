import { rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { ledger, responseOf } from "./ledger.js";

/** Partial approval: the one answer whose amount may differ from the request's. */
const PARTIAL_APPROVAL = "10";

/**
 * What a wrong terminal ID in an answer says: another terminal's answer delivered on this
 * connection, of this scenario or of another (another lane's, when scenarios run at once).
 */
function whose(tid: string | undefined, terminals: readonly string[]): string {
  if (tid === undefined || tid.trim() === "") return "";
  return terminals.includes(tid) ? `: it is ${tid}'s answer, delivered on another terminal's connection` : `: it names ${tid}, a terminal this scenario does not play (another scenario's answer, delivered on this connection?)`;
}

// CUP terminal acceptance (docs/protocol-notes.md §2.4, LiaoYang ProcRspPacket): "DE3 equal, DE11 equal,
// DE41 equal; DE42 equal when DE39 = 00; DE4 equal (except partial approval)".
export const H_ECHO_1: Property = {
  id: "H-ECHO-1",
  title: "Responses echo the matching fields",
  requirement: "A response MUST echo the request's fields 3, 11 and 41, field 4 (unless partially approved) and, on approval, field 42.",
  reference: "CUP POS terminal specification, response acceptance checks (docs/protocol-notes.md §2.4); ISO 8583:1987 §4.3 (echoed data elements)",
  role: "host",
  judges: "answers",
  check(s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const approved = rulesOf(ctx.dialect).codes.approved;
    for (const x of ledger(ctx.dialect, trace).exchanges) {
      const req = x.request.message!;
      const resp = responseOf(x);
      if (resp === undefined) continue;
      judged++;
      const code = resp.fields["39"];
      const fields = ["3", "11", "41"];
      if (code !== PARTIAL_APPROVAL) fields.push("4");
      if (code === approved) fields.push("42");
      for (const f of fields) {
        const want = req.fields[f];
        if (want === undefined || resp.fields[f] === want) continue;
        const actual = resp.fields[f] === undefined ? "absent" : JSON.stringify(resp.fields[f]);
        out.push({
          message: `the answer to ${req.mti} STAN ${req.fields["11"]} does not echo field ${f}${f === "41" ? whose(resp.fields[f], s.role === "host" ? s.terminals : []) : ""}`,
          expected: `field ${f} = ${JSON.stringify(want)}`,
          actual: `field ${f} ${actual}`,
          events: [x.request.seq, x.responses[0].seq],
        });
      }
    }
    return { judged, violations: out };
  },
};
