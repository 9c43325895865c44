import type { Link } from "./link.js";

/**
 * Writes `raw` (bytes already framed) in pieces cut at `cuts`, pausing `pauseMs` on the link's
 * clock before each piece after the first, so the peer reads them as separate TCP segments or
 * serial bursts, as a slow network delivers one message. Cuts outside the bytes, or repeated,
 * are ignored. Resolves with the pieces' sizes once the last is written; rejects as `sendRaw` does.
 */
export async function sendInSegments(link: Link, raw: Buffer, cuts: readonly number[], pauseMs: number): Promise<number[]> {
  const at = [...new Set(cuts.filter((c) => c > 0 && c < raw.length))].sort((a, b) => a - b);
  const bounds = [0, ...at, raw.length];
  const sizes: number[] = [];
  for (let i = 1; i < bounds.length; i++) {
    if (i > 1) await pause(link, pauseMs);
    await link.sendRaw(raw.subarray(bounds[i - 1], bounds[i]));
    sizes.push(bounds[i] - bounds[i - 1]);
  }
  return sizes;
}

/** `ms` on the link's clock, or less once the link closes: then the next piece fails at once, and nobody waits on a clock that may have stopped. */
function pause(link: Link, ms: number): Promise<void> {
  if (link.closeReason !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      link.off("disconnect", done);
      resolve();
    };
    const cancel = link.clock.setTimer(ms, done);
    link.on("disconnect", done);
  });
}
