import type { Message } from "../../src/iso8583/message.js";
import { networkCodeOf, operationOf, profileOf, requestKey, rulesOf } from "../../src/protocol/index.js";
import type { CheckContext, Property, Violation } from "../../src/runner/property.js";
import type { TraceEvent } from "../../src/trace/traceEvent.js";
import { codeOf, ledger, responseOf } from "./ledger.js";

const FINANCIAL = new Set(["purchase", "void", "refund", "preauth"]);

// ISO 8583:1987 field 37 (retrieval reference number) and 38 (authorisation identification
// response): the references a merchant quotes to find a transaction again.
export const H_RRN_1: Property = {
  id: "H-RRN-1",
  title: "Approvals carry unique references",
  requirement: "Approvals MUST carry a retrieval reference number (37) and an authorisation code (38), and the RRN MUST be unique per approval, across every terminal and scenario of the run (the authorisation code too, where the SUT's profile says auth_codes: unique).",
  reference: "ISO 8583:1987 data elements 37 and 38; CUP 0210 field set (docs/protocol-notes.md §2.4)",
  role: "host",
  judges: "approvals of financial requests",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const approved = rulesOf(ctx.dialect).codes.approved;
    const seen = new Map<string, { key: string; seq: number }>();
    for (const { x, op, req } of approvals(ctx, trace)) {
      if (codeOf(x) !== approved) continue;
      judged++;
      const resp = responseOf(x)!;
      const seq = x.responses[0].seq;
      for (const f of ["37", "38"]) {
        if (!resp.fields[f]?.trim()) {
          out.push({ message: `the approval of ${op} STAN ${req.fields["11"]} has no field ${f}`, expected: `field ${f} present`, actual: `field ${f} absent`, events: [x.request.seq, seq] });
        }
      }
      const key = requestKey(ctx.dialect, req);
      for (const { name, value } of references(ctx, req, resp)) {
        const earlier = seen.get(`${name} ${value}`);
        // A duplicate send answered with a replay of the first approval legitimately repeats it.
        if (earlier !== undefined && earlier.key !== key) {
          out.push({ message: `${name} ${value} was given to two approvals`, expected: `a new ${name} per approval`, actual: `${name} ${value} repeated`, events: [earlier.seq, seq] });
        }
        if (earlier === undefined) seen.set(`${name} ${value}`, { key, seq });
      }
    }
    return { judged, violations: out };
  },
  // Against a host that keeps its state, RRNs may not come round again in a later scenario or
  // another lane, nor authorisation codes where the profile says they are unique.
  acrossRun(trace, ctx) {
    const approved = rulesOf(ctx.dialect).codes.approved;
    return approvals(ctx, trace).flatMap(({ x, op, req }) => {
      const resp = responseOf(x);
      if (codeOf(x) !== approved || resp === undefined) return [];
      const what = `${req.fields["41"] ?? "?"}'s ${op} STAN ${req.fields["11"] ?? "?"}`;
      return references(ctx, req, resp).map(({ name, value }) => ({ key: name === "RRN" ? value : `${name} ${value}`, events: [x.request.seq, x.responses[0].seq], what }));
    });
  },
};

/**
 * The references an approval hands out, which must be new to the run: its RRN, and its
 * authorisation code where the profile says `auth_codes: unique` (6 characters, which nothing
 * else requires to be). A void or refund names its original's in its request (37, 38): an answer
 * that echoes them hands out nothing new.
 */
function references(ctx: CheckContext, req: Message, resp: Message): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const issued = (f: string) => {
    const value = resp.fields[f]?.trim();
    return value && value !== req.fields[f]?.trim() ? value : undefined;
  };
  const rrn = issued("37");
  if (rrn) out.push({ name: "RRN", value: rrn });
  const auth = issued("38");
  if (auth && profileOf(ctx.dialect).authCodes === "unique") out.push({ name: "authorisation code", value: auth });
  return out;
}

/** The exchanges of financial requests, with their operation. */
function approvals(ctx: CheckContext, trace: readonly TraceEvent[]) {
  return ledger(ctx.dialect, trace).exchanges.flatMap((x) => {
    const req = x.request.message!;
    const op = operationOf(ctx.dialect, req.mti, req.fields["3"], networkCodeOf(ctx.dialect, req));
    return op !== undefined && FINANCIAL.has(op) ? [{ x, op, req }] : [];
  });
}
