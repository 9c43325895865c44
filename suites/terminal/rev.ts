import { panOf, parseOriginalData, reversedStan, rulesOf } from "../../src/protocol/index.js";
import type { CheckContext, Property, Violation } from "../../src/runner/property.js";
import { type Command, describeRequest, evidence, needsReversal, nextTransaction, terminalLedger, type TerminalRequest, type ReversalHistory, type TerminalLedger } from "./ledger.js";

/** A history the trace can judge: no send of it was answered too close to the timeout to tell. */
const judgeable = (h: ReversalHistory) => h.groups.every((g) => g.every((s) => s.verdict.kind !== "unclear"));

// docs/protocol-notes.md §2.7 (自动冲正, LiaoYang `OnlineCommProc` / `ReverseTranProc`): a reversible
// request is journalled as soon as it is sent; without a valid answer the pending reversal goes
// out before the next online transaction, settlement included, resent unchanged until answered.
export const T_REV_1: Property = {
  id: "T-REV-1",
  title: "An unanswered reversible request is reversed once, before the next transaction",
  requirement:
    "Every reversible request without a valid, timely answer (none, late, bad MAC on an approval, wrong echo) MUST be followed by exactly one reversal, repeats of it counting as one, before the terminal's next financial request or settlement.",
  reference: "CUP automatic reversal (docs/protocol-notes.md §2.7.1, §2.7.3, §2.7.5); ISO 8583:1987 0400/0401",
  role: "terminal",
  judges: "reversible requests without a valid answer",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    for (const o of l.requests) {
      if (!needsReversal(l, o) || o.verdict.kind !== "invalid") continue;
      judged++;
      const h = l.histories.get(o);
      const next = nextTransaction(l, o);
      const before = h?.groups.flat().filter((r) => next === undefined || r.index < next.index) ?? [];
      if (next !== undefined && before.length === 0) {
        const late = h?.groups[0]?.[0];
        out.push({
          message: `${describeRequest(o)} got no valid answer (${o.verdict.why}), and the terminal sent ${describeRequest(next)} ${late ? "before reversing it" : "without reversing it"}`,
          expected: `a reversal of STAN ${o.message.fields["11"]} before the next transaction`,
          actual: late ? `the reversal came after ${describeRequest(next)}` : "no reversal",
          events: [...evidence(o), next.event.seq, ...(late ? [late.event.seq] : [])],
        });
      }
      const hung = next === undefined && before.length === 0 ? hungAfter(l, o) : undefined;
      if (hung?.result !== undefined) {
        out.push({
          message: `${describeRequest(o)} got no valid answer (${o.verdict.why}), and the terminal never reversed it: asked for a ${hung.op} next, it sent nothing and gave no result (${hung.result.result.message ?? "none"})`,
          expected: `a reversal of STAN ${o.message.fields["11"]} before the next transaction`,
          actual: `no reversal, and no request for the ${hung.op}: the terminal hung`,
          events: [...evidence(o), hung.event.seq, hung.result.event.seq],
        });
      }
      if (h !== undefined && h.groups.length > 1 && judgeable(h)) {
        const [first, second] = h.groups;
        const answered = first.find((s) => s.verdict.kind === "valid");
        out.push({
          message: `${describeRequest(o)} was reversed ${h.groups.length} times: ${answered ? "a reversal the host had answered" : "the first reversal"} was followed by another`,
          expected: "one reversal, repeated unchanged until answered",
          actual: `${h.groups.length} distinct reversals`,
          events: [o.event.seq, first[0].event.seq, ...(answered ? evidence(answered) : []), second[0].event.seq],
        });
      }
    }
    return { judged, violations: out };
  },
};

/** Commands a pending reversal must go out before (docs/protocol-notes.md §2.7.3): sign-on is not one. */
const TRANSACTION_COMMANDS: ReadonlySet<string> = new Set(["purchase", "balance", "void", "refund", "settlement"]);

/**
 * A later step's transaction command the terminal neither carried out nor answered, while it
 * sent nothing at all after `o`: it hung (on the host closing, say), and its reversal is never
 * coming. A terminal that fails a command it cannot do reports so; only silence counts here.
 */
function hungAfter(l: TerminalLedger, o: TerminalRequest): Command | undefined {
  if (l.requests.some((x) => x.index > o.index)) return undefined;
  return l.commands.find((c) => c.event.seq > o.event.seq && c.step !== o.event.step && TRANSACTION_COMMANDS.has(c.op) && c.result?.result.outcome === "unknown");
}

// docs/protocol-notes.md §2.7.1: the journal entry "is deleted when a response is processed" ("接收的时候
// 如果响应码为00，就删除冲正文件"); a valid answer, approval or decline, leaves nothing to reverse.
export const T_REV_2: Property = {
  id: "T-REV-2",
  title: "No reversal after a valid answer",
  requirement: "A terminal MUST NOT send a reversal for a request that got a valid, timely answer.",
  reference: "CUP reversal journal (docs/protocol-notes.md §2.7.1); ISO 8583:1987 0400",
  role: "terminal",
  judges: "reversible requests with a valid answer",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    const l = terminalLedger(trace, ctx);
    const judged = l.requests.filter((r) => !r.reversal && r.verdict.kind === "valid" && r.op !== undefined && rulesOf(ctx.dialect).operations[r.op].reversible).length;
    for (const [r, o] of l.originals) {
      if (o === undefined || o.verdict.kind !== "valid" || l.histories.get(o)?.groups[0][0] !== r) continue;
      out.push({
        message: `${describeRequest(o)} got a valid answer (${o.verdict.code}) and was reversed all the same`,
        expected: "no reversal",
        actual: `reversal STAN ${r.message.fields["11"]} with reason ${r.message.fields["39"] ?? "none"}`,
        events: [...evidence(o), r.event.seq],
      });
    }
    return { judged, violations: out };
  },
};

/** What a reversal must carry over from its original (docs/protocol-notes.md §2.4 `MakeReversalPack`): amount, PAN, terminal. */
function identityMismatches(ctx: CheckContext, r: TerminalRequest, o: TerminalRequest): string[] {
  const bad: string[] = [];
  const amount = o.message.fields["4"];
  if (amount !== undefined && r.message.fields["4"] !== amount) bad.push(`amount (field 4) ${r.message.fields["4"] ?? "absent"}, not ${amount}`);
  const pan = panOf(o.message);
  if (pan !== undefined && panOf(r.message) !== pan) bad.push("a PAN other than the original's");
  if (rulesOf(ctx.dialect).reversal.stan === "new") {
    const f90 = r.message.fields["90"];
    if (f90 !== undefined && parseOriginalData(f90).mti !== o.message.mti) bad.push(`original MTI ${parseOriginalData(f90).mti}, not ${o.message.mti} (field 90)`);
  }
  return bad;
}

// docs/protocol-notes.md §2.4 (`MakeReversalPack`: a copy of the original, same DE11 in CUP, original
// data in DE90/DE62 elsewhere) and §2.7.2 (`UpdateReversalFile`: 98 no answer, A0 MAC failure on
// an approval, 06 anything else).
export const T_REV_3: Property = {
  id: "T-REV-3",
  title: "A reversal names its original and the right reason",
  requirement:
    "A reversal MUST identify its original (STAN or original-data field, amount, PAN, terminal ID) and carry the reason code for what happened to it: 98 no answer, A0 bad MAC on an approval, 06 other.",
  reference: "CUP reversal message and reason codes (docs/protocol-notes.md §2.4, §2.7.2); ISO 8583:1987 data element 90",
  role: "terminal",
  judges: "reversals",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    const firstReversible = l.requests.find((r) => !r.reversal && r.op !== undefined && rulesOf(ctx.dialect).operations[r.op].reversible);
    for (const [r, o] of l.originals) {
      if (o === undefined) {
        // A reversal before any reversible request may be left over from before the scenario.
        if (firstReversible === undefined || firstReversible.index > r.index) continue;
        judged++;
        out.push({
          message: `reversal STAN ${r.message.fields["11"]} names STAN ${reversedOf(l, r)}, which the terminal did not send`,
          expected: "the STAN (or original data) of the request it reverses",
          actual: `STAN ${reversedOf(l, r)}`,
          events: [r.event.seq],
        });
        continue;
      }
      judged++;
      const bad = identityMismatches(ctx, r, o);
      if (bad.length > 0) {
        out.push({ message: `the reversal of ${describeRequest(o)} carries ${bad.join("; ")}`, expected: "the original's amount, PAN and terminal", actual: bad.join("; "), events: [o.event.seq, r.event.seq] });
      }
      const reason = r.message.fields["39"];
      if (o.verdict.kind === "invalid" && (reason === undefined || !o.verdict.reasons.includes(reason))) {
        out.push({
          message: `the reversal of ${describeRequest(o)} (${o.verdict.why}) carries reason ${reason ?? "none"}`,
          expected: `reason ${o.verdict.reasons.join(" or ")}`,
          actual: `reason ${reason ?? "absent"}`,
          events: [...evidence(o), r.event.seq],
        });
      }
    }
    return { judged, violations: out };
  },
};

const reversedOf = (l: TerminalLedger, r: TerminalRequest) => reversedStan(l.dialect, r.message) ?? "none";

// docs/protocol-notes.md §2.7.4: up to `ucResendTimes + 1` attempts (CUP default 3), then the record is
// deleted ("冲正不成功"); a reversal answered with any code is done.
export const T_REV_4: Property = {
  id: "T-REV-4",
  title: "An unanswered reversal is repeated, within the configured attempts",
  requirement:
    "A reversal without a valid answer MUST be repeated before the terminal's next financial request or settlement, until answered, and MUST NOT be sent more times than the configured reversal attempts.",
  reference: "CUP reversal retries `ucResendTimes` (docs/protocol-notes.md §2.7.4-5)",
  role: "terminal",
  judges: "reversals without a valid answer",
  check(_s, trace, ctx) {
    const out: Violation[] = [];
    let judged = 0;
    const l = terminalLedger(trace, ctx);
    const attempts = ctx.reversalAttempts ?? rulesOf(ctx.dialect).reversal.attempts;
    for (const h of l.histories.values()) {
      if (!judgeable(h)) continue;
      const sends = h.groups[0];
      const o = h.original;
      if (sends.some((s) => s.verdict.kind !== "valid")) judged++;
      if (sends.length > attempts) {
        out.push({
          message: `the reversal of ${describeRequest(o)} was sent ${sends.length} times`,
          expected: `at most ${attempts} attempts`,
          actual: `${sends.length} attempts`,
          events: sends.map((s) => s.event.seq),
        });
      }
      const lastSend = sends.at(-1)!;
      if (lastSend.verdict.kind === "valid" || sends.length >= attempts || h.groups.length > 1) continue;
      const next = nextTransaction(l, lastSend);
      if (next === undefined) continue;
      out.push({
        message: `the reversal of ${describeRequest(o)} went unanswered (${lastSend.verdict.kind === "invalid" ? lastSend.verdict.why : "?"}) and was not repeated before ${describeRequest(next)}`,
        expected: `the reversal repeated, up to ${attempts} attempts`,
        actual: `${sends.length} attempt(s), then ${describeRequest(next)}`,
        events: [...sends.map((s) => s.event.seq), next.event.seq],
      });
    }
    return { judged, violations: out };
  },
};
