/**
 * When an answer counts as timely or late against a terminal's response timeout T. The kit
 * answers at once (in time) or after T + 2 × grace (late); an answer within `grace` of T either
 * way can only come from jitter on a real line, and the properties leave it unjudged rather than
 * guess which side of T the terminal saw it on. The grace is 5% of T, at least 250 ms, but at
 * most half of T: under a timeout shorter than 500 ms an answer at once must still count as timely.
 */
export function timingGraceMs(responseTimeoutMs: number): number {
  return Math.min(Math.max(250, Math.round(responseTimeoutMs * 0.05)), Math.floor(responseTimeoutMs / 2));
}

/** How long the kit holds a `late` answer: well past the terminal's timeout, by two graces. */
export function lateAnswerMs(responseTimeoutMs: number): number {
  return responseTimeoutMs + 2 * timingGraceMs(responseTimeoutMs);
}

/**
 * How long the kit pauses between the segments of a `split` answer: long enough that the
 * terminal reads each on its own, short enough that the whole answer is timely by far (both
 * pauses together a tenth of the timeout at most).
 */
export function splitPauseMs(responseTimeoutMs: number): number {
  return Math.min(100, Math.round(responseTimeoutMs / 20));
}

/** How an answer sent `elapsedMs` after its request stands against the timeout. */
export function answerTiming(elapsedMs: number, responseTimeoutMs: number): "timely" | "late" | "unclear" {
  const grace = timingGraceMs(responseTimeoutMs);
  if (elapsedMs <= responseTimeoutMs - grace) return "timely";
  if (elapsedMs >= responseTimeoutMs + grace) return "late";
  return "unclear";
}
