import type { Message } from "../iso8583/message.js";
import { answeredIndex } from "../protocol/matching.js";
import { isRequestMti, responseMti } from "../protocol/rules.js";
import type { TerminalFaultKind } from "../scenario/scenario.js";
import type { Direction, EventOf, FrameEvent, TraceEvent } from "../trace/traceEvent.js";

/** A frame that decoded: every request of an exchange is one. */
export type DecodedFrame = FrameEvent & { message: Message };

/** A request and what came back for it on the same connection. */
export interface Exchange {
  request: DecodedFrame;
  /** Answers, in arrival order: normally one; none when it went unanswered. */
  responses: FrameEvent[];
  /** The scenario step the request belongs to (-1 for setup and teardown). */
  step: number;
  /**
   * The fault the kit applied: in its request's step when the kit asks (host under test), to
   * its answer to this very request when the kit answers (terminal under test).
   */
  fault?: string;
}

/** Who sends the requests: the kit (the host is under test) or the SUT (a terminal under test). */
export type Requester = "kit" | "sut";

/** Stands in the answer queue for a malformed frame the kit sent; never reported. */
const MALFORMED_SINK: Exchange = { request: { seq: -1, t: 0, dir: "kit→sut", kind: "frame", bytes: "", message: { mti: "", fields: {} } }, responses: [], step: -1 };

/** Faults after which the kit, answering, sends nothing at once: the request leaves the answer queue. */
const NOT_ANSWERED_NOW: ReadonlySet<string> = new Set(["drop", "late", "disconnect", "close"] satisfies TerminalFaultKind[]);

/**
 * Pairs every request with the frames that answer it: per connection, first in first out, so a
 * response carrying a wrong STAN or terminal ID is still paired with its request and reported as
 * a wrong answer rather than as a timeout. Where two requests wait on one connection, an answer
 * goes to the one it names by MTI and STAN (`answeredIndex`): a host may answer them in any
 * order. Frames the answering side starts itself (its own requests, such as an echo test) are not
 * answers. An answer with nobody waiting goes to the connection's last answered request: it is a
 * second answer.
 *
 * When the kit asks (`requester: "kit"`), the kit's malformed requests hold their place in the
 * queue, so an answer to one is never taken for the next request's. When the kit answers
 * (`"sut"`), its fault events (which name the connection, MTI and STAN they hit) say which
 * requests it leaves unanswered (drop, disconnect, close) or answers later (late): those leave the
 * queue, and a late answer goes to its own request.
 */
export function exchanges(trace: readonly TraceEvent[], requester: Requester = "kit"): Exchange[] {
  const asks: Direction = requester === "kit" ? "kit→sut" : "sut→kit";
  const out: Exchange[] = [];
  const waiting = new Map<string, Exchange[]>();
  const last = new Map<string, Exchange>();
  const late: Exchange[] = [];
  const faultByStep = new Map<number, string>();
  const queue = (conn: string) => {
    let q = waiting.get(conn);
    if (q === undefined) waiting.set(conn, (q = []));
    return q;
  };
  for (const e of trace) {
    if (e.kind === "fault") {
      if (requester === "kit" && e.step !== undefined) faultByStep.set(e.step, e.detail.fault);
      if (requester === "sut") faultOnAnswer(e, waiting, late);
      continue;
    }
    if (e.kind !== "frame" || e.conn === undefined) continue;
    const m = e.message;
    if (e.dir === asks) {
      if (!decoded(e)) {
        // A malformed request: an answer to it (30, say) must not be taken for the next request's.
        if (requester === "kit") queue(e.conn).push(MALFORMED_SINK);
        continue;
      }
      if (!isRequestMti(e.message.mti)) continue;
      const step = e.step ?? -1;
      const x: Exchange = { request: e, responses: [], step };
      const fault = requester === "kit" ? faultByStep.get(step) : undefined;
      if (fault !== undefined) x.fault = fault;
      out.push(x);
      queue(e.conn).push(x);
    } else {
      if (m !== undefined && isRequestMti(m.mti)) continue;
      const held = m === undefined ? -1 : late.findIndex((x) => x.request.conn === e.conn && answers(x, m));
      const x = held >= 0 ? late.splice(held, 1)[0] : (takeAnswered(waiting.get(e.conn), m) ?? last.get(e.conn));
      if (x === undefined || x === MALFORMED_SINK) continue;
      x.responses.push(e);
      last.set(e.conn, x);
    }
  }
  return out;
}

const decoded = (e: FrameEvent): e is DecodedFrame => e.message !== undefined;

/**
 * The waiting request an answer belongs to, out of the queue: the oldest, unless more than one
 * waits (a pipelined pair) and the answer names another (`answeredIndex`). A malformed frame's
 * place is taken by order only: nothing names it.
 */
function takeAnswered(q: Exchange[] | undefined, m: Message | undefined): Exchange | undefined {
  if (q === undefined || q.length < 2 || m === undefined || q[0] === MALFORMED_SINK) return q?.shift();
  return q.splice(answeredIndex(q.map((x) => x.request.message), m), 1)[0];
}

/** Whether `m` is an answer to the request of `x`: its response MTI, and the same STAN. */
const answers = (x: Exchange, m: Message) => m.mti === responseMti(x.request.message.mti) && m.fields["11"] === x.request.message.fields["11"];

/** Books a fault the answering kit applied on the request it names (the last one waiting with that MTI and STAN). */
function faultOnAnswer(e: EventOf<"fault">, waiting: Map<string, Exchange[]>, late: Exchange[]): void {
  const d = e.detail;
  const q = d.conn === undefined ? undefined : waiting.get(d.conn);
  if (q === undefined) return;
  let i = q.length - 1;
  while (i >= 0 && (q[i].request.message.mti !== d.mti || q[i].request.message.fields["11"] !== d.stan)) i--;
  if (i < 0) return;
  const x = q[i];
  x.fault = d.fault;
  if (!NOT_ANSWERED_NOW.has(x.fault)) return;
  q.splice(i, 1);
  if (x.fault === "late") late.push(x);
}
