import type { Message } from "../iso8583/message.js";
import type { TraceEvent } from "../trace/traceEvent.js";

/** A request the kit sent and what came back for it on the same connection. */
export interface Exchange {
  request: TraceEvent;
  /** Answers, in arrival order: normally one; none when it went unanswered. */
  responses: TraceEvent[];
  /** The scenario step the request belongs to (-1 for setup and teardown). */
  step: number;
  /** The fault the kit applied in this request's step, if any (from the trace's fault events). */
  fault?: string;
}

/** The MTI's third digit is even for requests and advices, odd for their responses. */
export const isRequestMti = (mti: string) => Number(mti[2]) % 2 === 0;

/** Stands in the answer queue for a malformed frame the kit sent; never reported. */
const MALFORMED_SINK: Exchange = { request: { seq: -1, t: 0, dir: "kit→sut", kind: "frame" }, responses: [], step: -1 };

const messageOf = (e: TraceEvent): Message | undefined => e.message;

/**
 * Pairs every kit request with the SUT frames that answer it: per connection, first in first
 * out, so a response carrying a wrong STAN or terminal ID is still paired with its request and
 * reported as a wrong answer rather than as a timeout. Frames the SUT starts itself (its own
 * requests, such as an echo test) are not answers. An answer with nobody waiting goes to the
 * connection's last request: it is a second answer.
 */
export function exchanges(trace: readonly TraceEvent[]): Exchange[] {
  const out: Exchange[] = [];
  const waiting = new Map<string, Exchange[]>();
  const last = new Map<string, Exchange>();
  const faultByStep = new Map<number, string>();
  for (const e of trace) {
    if (e.kind === "fault" && e.step !== undefined) faultByStep.set(e.step, String(e.detail?.fault ?? ""));
    if (e.kind !== "frame" || e.conn === undefined) continue;
    const m = messageOf(e);
    if (e.dir === "kit→sut") {
      if (m === undefined) {
        // A deliberately malformed frame: an answer to it (30, say) must not be taken for the
        // next request's. The kit waits for that answer, or drops the connection.
        const q = waiting.get(e.conn) ?? [];
        q.push(MALFORMED_SINK);
        waiting.set(e.conn, q);
        continue;
      }
      if (!isRequestMti(m.mti)) continue;
      const step = e.step ?? -1;
      const x: Exchange = { request: e, responses: [], step, fault: faultByStep.get(step) };
      out.push(x);
      const q = waiting.get(e.conn) ?? [];
      q.push(x);
      waiting.set(e.conn, q);
      last.set(e.conn, x);
    } else if (e.dir === "sut→kit") {
      if (m !== undefined && isRequestMti(m.mti)) continue;
      const x = waiting.get(e.conn)?.shift() ?? last.get(e.conn);
      if (x !== MALFORMED_SINK) x?.responses.push(e);
    }
  }
  return out;
}
