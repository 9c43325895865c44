import { isFinancial, requestKey, rulesOf } from "../../src/protocol/index.js";
import type { Property, Violation } from "../../src/runner/property.js";
import { adviceRepeats, balanceEvidence, balancesOnly, codeOf, DUPLICATE_FAULTS, formatMovement, ledger, responseOf } from "./ledger.js";
import type { Exchange } from "../../src/runner/exchanges.js";

/** A second answer that repeats the first: same code, RRN and authorisation code. */
const replays = (a: Exchange, b: Exchange) =>
  ["39", "37", "38"].every((f) => responseOf(a)?.fields[f] === responseOf(b)?.fields[f]);

// ISO 8583:1987 response code 94 "duplicate transmission"; CUP hosts key a request on
// TID + MID + STAN (+ batch) and answer a duplicate with 94 (docs/protocol-notes.md §2.7.6).
// An advice repeated (0221: "repeats occur after timeouts", §2.7.5) is the same transmission again.
export const H_DUP_1: Property = {
  id: "H-DUP-1",
  title: "A duplicate request is posted at most once",
  requirement: "A request sent twice (same matching key; an advice and its repeat) MUST be posted at most once; the second answer MUST be the duplicate code (94) or a replay of the first.",
  reference: "ISO 8583:1987 response code 94 (duplicate transmission) and repeat MTIs (0221); CUP duplicate detection on TID+MID+STAN+batch (docs/protocol-notes.md §2.7)",
  role: "host",
  judges: "answered duplicates of answered financial requests, and answered repeats of answered advices",
  ledgerPart: "whether the host posted a duplicate once",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const duplicate = rulesOf(ctx.dialect).codes.duplicate;
    const first = new Map<string, Exchange>();
    const l = ledger(ctx.dialect, trace);
    for (const x of l.exchanges) {
      const key = requestKey(ctx.dialect, x.request.message!);
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, x);
        continue;
      }
      // Only financial requests post: a repeated sign-on or echo test is not a duplicate posting.
      if (!DUPLICATE_FAULTS.has(x.fault) || x.responses.length === 0 || earlier.responses.length === 0) continue;
      if (!isFinancial(ctx.dialect, x.request.message!)) continue;
      judged++;
      // Copies sent at the same moment on two connections have no first and second: the host may
      // take either first, so either answer may be the 94.
      const raced = x.fault === "race_duplicate";
      if (codeOf(x) === duplicate || (raced && codeOf(earlier) === duplicate) || replays(earlier, x)) continue;
      const refs = (y: Exchange) => ["39", "37", "38"].map((f) => responseOf(y)?.fields[f] ?? "-").join("/");
      const stan = x.request.message!.fields["11"];
      out.push({
        message: raced
          ? `the same request (STAN ${stan}) sent at the same moment on ${earlier.request.conn} and ${x.request.conn} was processed twice`
          : `the same request (STAN ${stan}) sent twice was processed twice`,
        expected: raced
          ? `one of the two answers is ${duplicate}, or they are the same (39/37/38)`
          : `the second answer is ${duplicate} or repeats the first (39/37/38 = ${refs(earlier)})`,
        actual: raced ? `answers 39/37/38 = ${refs(earlier)} on ${earlier.request.conn}, ${refs(x)} on ${x.request.conn}` : `second answer 39/37/38 = ${refs(x)}`,
        events: [earlier.request.seq, earlier.responses[0].seq, x.request.seq, x.responses[0].seq],
      });
    }
    // A repeated advice's first send was answered (its answer lost on the way): the repeat must not post again.
    for (const { first, repeat } of adviceRepeats(l)) {
      if (DUPLICATE_FAULTS.has(repeat.fault) || first.responses.length === 0 || repeat.responses.length === 0) continue;
      judged++;
      if (codeOf(repeat) === duplicate || replays(first, repeat)) continue;
      const refs = (y: Exchange) => ["39", "37", "38"].map((f) => responseOf(y)?.fields[f] ?? "-").join("/");
      out.push({
        message: `the advice (STAN ${repeat.request.message.fields["11"]}) repeated as ${repeat.request.message.mti} was processed again`,
        expected: `the repeat's answer is ${duplicate} or repeats the first (39/37/38 = ${refs(first)})`,
        actual: `repeat's answer 39/37/38 = ${refs(repeat)}`,
        events: [first.request.seq, first.responses[0].seq, repeat.request.seq, repeat.responses[0].seq],
      });
    }
    // Posted at most once, as the card's balance shows it (where the SUT reports balances).
    for (const b of balancesOnly(l, "duplicates")) {
      judged++;
      if (b.observed === b.expected) continue;
      const stans = b.duplicates.map((x) => x.request.message.fields["11"]).join(", ");
      out.push({
        message: `after the request sent twice (STAN ${stans}), the card's balance moved by ${formatMovement(b.observed)}, not ${formatMovement(b.expected)}: the host posted it twice`,
        expected: `the balance moved by ${formatMovement(b.expected)}`,
        actual: `moved by ${formatMovement(b.observed)}`,
        events: [...b.duplicates.flatMap((x) => [x.request.seq, ...x.responses.slice(0, 1).map((r) => r.seq)]), ...balanceEvidence(b)],
      });
    }
    return { judged, violations: out };
  },
};
