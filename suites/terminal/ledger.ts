import type { Dialect } from "../../src/iso8583/dialect.js";
import type { Operation } from "../../src/iso8583/dialectTable.js";
import type { Message } from "../../src/iso8583/message.js";
import {
  isFinancial,
  isReversal,
  answerMacChecked,
  networkCodeOf,
  operationOf,
  responseMismatches,
  reversedStan,
  rulesOf,
  settlementVerdict,
  type Mismatch,
  type ReversalCause,
} from "../../src/protocol/index.js";
import { answerTiming } from "../../src/protocol/answerTiming.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { unpack } from "../../src/iso8583/unpack.js";
import type { TerminalFaultKind } from "../../src/scenario/scenario.js";
import type { ControlResult } from "../../src/scenario/terminalControl.js";
import { type DecodedFrame, exchanges, type Exchange } from "../../src/runner/exchanges.js";
import type { CheckContext } from "../../src/runner/property.js";
import type { EventOf, FrameEvent, TraceEvent } from "../../src/trace/traceEvent.js";

/**
 * How the first answer to a request stands, judged as a correct terminal must judge it
 * (docs/protocol-notes.md §2.4 acceptance checks, §2.7 reversal reasons):
 * - `valid`: in time, decodes, answers the request, MAC good where it is checked; any code;
 * - `invalid`: no valid answer, with the reversal cause it amounts to and the reason codes a
 *   correct terminal may give for it;
 * - `unclear`: the trace cannot tell (an answer within the timing grace of the timeout).
 */
export type Verdict =
  | { kind: "valid"; code: string; answer: FrameEvent }
  | {
      kind: "invalid";
      cause: ReversalCause;
      why: string;
      reasons: readonly string[];
      answer?: FrameEvent;
      mismatches: Mismatch[];
      /** An answer that does not decode, with the code that decoded before the failure: what a lax reader takes for its verdict. */
      undecoded?: { code: string; truncated: boolean };
    }
  | { kind: "unclear"; why: string };

/** One request of the terminal, and how the kit answered it. */
export interface TerminalRequest {
  /** Position among the terminal's requests, from 0. */
  index: number;
  exchange: Exchange;
  event: DecodedFrame;
  message: Message;
  /** Undefined for reversals and for requests the dialect does not know. */
  op: Operation | undefined;
  reversal: boolean;
  verdict: Verdict;
}

/** The reversals aimed at one request, split into distinct reversals: a repeat joins its first send. */
export interface ReversalHistory {
  original: TerminalRequest;
  /** Each distinct reversal: its first send, then its identical repeats, up to the first valid answer. */
  groups: TerminalRequest[][];
}

export interface TerminalLedger {
  dialect: Dialect;
  requests: TerminalRequest[];
  /** The reversal histories, by original. */
  histories: Map<TerminalRequest, ReversalHistory>;
  /** Each reversal's original: the latest earlier financial request of the terminal it names (undefined: none). */
  originals: Map<TerminalRequest, TerminalRequest | undefined>;
  /** The result the control adapter reported for a command, by the command's own request. */
  results: Map<TerminalRequest, { result: ControlResult; event: EventOf<"control"> }>;
  /** Whether the kit steered the terminal (commands in the trace): a passive terminal acts on its own. */
  driven: boolean;
  /** Every control command the kit gave, in order, with the result it got (undefined: none recorded). */
  commands: Command[];
}

/** A control command of the trace and its result. */
export interface Command {
  op: string;
  step: number | undefined;
  event: EventOf<"control">;
  result?: { result: ControlResult; event: EventOf<"control"> };
}

// Every terminal property reads the same ledger of the same trace: compute it once per trace.
const cache = new WeakMap<readonly TraceEvent[], TerminalLedger>();

export function terminalLedger(trace: readonly TraceEvent[], ctx: CheckContext): TerminalLedger {
  let l = cache.get(trace);
  if (l === undefined || l.dialect !== ctx.dialect) {
    l = computeLedger(trace, ctx);
    cache.set(trace, l);
  }
  return l;
}

/** Reason codes a correct terminal may give per cause. An answer it cannot use may be passed over until the timeout: 98 then. */
function reasonsFor(dialect: Dialect, cause: ReversalCause): string[] {
  const r = rulesOf(dialect).reversal.reasons;
  return cause === "other" ? [r.other, r.no_answer] : [r[cause]];
}

function judge(dialect: Dialect, x: Exchange, timeoutMs: number): Verdict {
  const request = x.request.message!;
  const invalid = (cause: ReversalCause, why: string, answer?: FrameEvent, mismatches: Mismatch[] = [], undecoded?: { code: string; truncated: boolean }): Verdict => ({
    kind: "invalid",
    cause,
    why,
    reasons: reasonsFor(dialect, cause),
    answer,
    mismatches,
    ...(undecoded === undefined ? {} : { undecoded }),
  });
  const answer = x.responses[0];
  if (answer === undefined) return invalid("no_answer", UNANSWERED_WHY[x.fault ?? ""] ?? "no answer");
  const timing = answerTiming(answer.t - x.request.t, timeoutMs);
  if (timing === "late") return invalid("no_answer", `the answer came ${answer.t - x.request.t} ms after the request, past the ${timeoutMs} ms timeout`, answer);
  if (timing === "unclear") return { kind: "unclear", why: `the answer came ${answer.t - x.request.t} ms after the request, too close to the ${timeoutMs} ms timeout to judge` };
  const response = answer.message;
  if (response === undefined) {
    const undecoded = undecodedVerdict(dialect, answer);
    if (undecoded === undefined) return invalid("other", "the answer does not decode", answer);
    const failure = answer.decodeError === undefined ? "" : ` (${answer.decodeError.reason}: field ${answer.decodeError.field})`;
    const why = `the answer ${undecoded.truncated ? "is truncated" : "does not decode"}${failure}, though it carries response code ${undecoded.code}`;
    return invalid("other", why, answer, [], undecoded);
  }
  const mismatches = responseMismatches(dialect, request, response);
  if (mismatches.length > 0) {
    const what = mismatches.map((m) => (m.field === "mti" ? `MTI ${m.actual}` : `field ${m.field} ${m.actual === undefined ? "absent" : JSON.stringify(m.actual)}`)).join(", ");
    return invalid("other", `the answer does not match the request (${what})`, answer, mismatches);
  }
  const code = response.fields["39"];
  // The codec held field 39 to the dialect's own length and class: any code it decoded is one.
  if (code === undefined) return invalid("other", "the answer carries no response code", answer);
  // The MAC is verified on approvals only (docs/protocol-notes.md §2.4), or on every answer where the dialect says so.
  const mac = dialect.table.mac;
  const approved = code === rulesOf(dialect).codes.approved;
  if (x.fault === "bad_mac" && mac !== null && answerMacChecked(dialect, request) && (approved || mac.verify === "always")) {
    return invalid("bad_mac", "the answer's MAC does not verify", answer);
  }
  return { kind: "valid", code, answer };
}

/** Why a request the kit left unanswered has no answer, by the kit's fault. */
const UNANSWERED_WHY: Record<string, string> = {
  disconnect: "the connection dropped mid-answer",
  close: "the host closed the connection without answering",
} satisfies Partial<Record<TerminalFaultKind, string>>;

/**
 * The response code among the fields that decoded before an answer failed to: a cut answer
 * (the kit's `truncated_approval`, or `malformed:truncated`) may still carry one. Undefined when
 * none decoded, or the bytes are masked.
 */
function undecodedVerdict(dialect: Dialect, answer: FrameEvent): { code: string; truncated: boolean } | undefined {
  if (answer.bytes === "" || answer.bytes.includes("*")) return undefined;
  try {
    unpack(dialect, Buffer.from(answer.bytes, "hex"));
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    const code = e.partial?.fields["39"];
    return code === undefined ? undefined : { code, truncated: e.kind === "truncated" };
  }
  return undefined;
}

/** Whether `b` repeats `a`: the same message, the MTI's repeat digit and the MAC aside. */
export function sameMessage(dialect: Dialect, a: Message, b: Message): boolean {
  if (a.mti.slice(0, 3) !== b.mti.slice(0, 3)) return false;
  const macField = String(dialect.table.mac?.field ?? 64);
  const keys = (m: Message) => Object.keys(m.fields).filter((k) => k !== macField);
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => a.fields[k] === b.fields[k]);
}

function computeLedger(trace: readonly TraceEvent[], ctx: CheckContext): TerminalLedger {
  const d = ctx.dialect;
  const requests: TerminalRequest[] = exchanges(trace, "sut").map((exchange, index) => {
    const message = exchange.request.message;
    const reversal = isReversal(d, message);
    return {
      index,
      exchange,
      event: exchange.request,
      message,
      reversal,
      op: reversal ? undefined : operationOf(d, message.mti, message.fields["3"], networkCodeOf(d, message)),
      verdict: judge(d, exchange, ctx.responseTimeoutMs),
    };
  });
  const originals = new Map<TerminalRequest, TerminalRequest | undefined>();
  const histories = new Map<TerminalRequest, ReversalHistory>();
  for (const r of requests) {
    if (!r.reversal) continue;
    const stan = reversedStan(d, r.message);
    const tid = r.message.fields["41"];
    let original: TerminalRequest | undefined;
    for (let i = r.index - 1; i >= 0 && original === undefined; i--) {
      const o = requests[i];
      // Only financial requests are ever reversed: a sign-on that happens to share the STAN is not one.
      if (!o.reversal && o.message.fields["11"] === stan && o.message.fields["41"] === tid && isFinancial(d, o.message)) original = o;
    }
    originals.set(r, original);
    if (original === undefined) continue;
    let h = histories.get(original);
    if (h === undefined) histories.set(original, (h = { original, groups: [] }));
    const group = h.groups.at(-1);
    const closed = group === undefined || group.some((s) => s.verdict.kind === "valid") || !sameMessage(d, group[0].message, r.message);
    if (closed) h.groups.push([r]);
    else group.push(r);
  }
  const results = new Map<TerminalRequest, { result: ControlResult; event: EventOf<"control"> }>();
  const commands: Command[] = [];
  let driven = false;
  for (const e of trace) {
    if (e.kind !== "control") continue;
    driven = true;
    const result = e.detail.result;
    if (result === undefined) {
      commands.push({ op: e.detail.op, step: e.step, event: e });
      continue;
    }
    const command = commands.findLast((c) => c.op === e.detail.op && c.step === e.step && c.result === undefined);
    if (command !== undefined) command.result = { result, event: e };
    const own = requests.find((r) => !r.reversal && r.event.step === e.step && r.op === e.detail.op && r.event.seq < e.seq);
    if (own !== undefined && !results.has(own)) results.set(own, { result, event: e });
  }
  return { dialect: d, requests, histories, originals, results, driven, commands };
}

/** The terminal's next transaction after `r`: its next financial request or settlement (docs/protocol-notes.md §2.7.3). */
export function nextTransaction(l: TerminalLedger, r: TerminalRequest): TerminalRequest | undefined {
  return l.requests.find((x) => x.index > r.index && !x.reversal && (x.op === "settlement" || isFinancial(l.dialect, x.message)));
}

/** Requests the terminal must reverse: reversible ones with no valid answer (docs/protocol-notes.md §2.7.1). */
export function needsReversal(l: TerminalLedger, r: TerminalRequest): boolean {
  return !r.reversal && r.verdict.kind === "invalid" && r.op !== undefined && rulesOf(l.dialect).operations[r.op].reversible === true;
}

/** Whether a settlement's answer closed its batch: a valid answer with a verdict on the totals. */
export function closesBatch(l: TerminalLedger, r: TerminalRequest): boolean {
  return r.op === "settlement" && r.verdict.kind === "valid" && r.verdict.answer.message !== undefined && settlementVerdict(l.dialect, r.verdict.answer.message) !== undefined;
}

/** A request as a violation names it: `0200 purchase STAN 000002`. */
export const describeRequest = (r: TerminalRequest) => `${r.message.mti} ${r.reversal ? "reversal" : (r.op ?? "request")} STAN ${r.message.fields["11"] ?? "?"}`;

/** The trace events that show a request and its answer. */
export const evidence = (r: TerminalRequest) => [r.event.seq, ...(r.exchange.responses[0] ? [r.exchange.responses[0].seq] : [])];
