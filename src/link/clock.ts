/**
 * Where links take their time from. Real runs use `realClock`; in-process runs against the
 * reference simulators pass a virtual clock (`src/runner/virtualClock.ts`), so a 30 s response
 * timeout costs no real time.
 */
export interface Clock {
  /** Milliseconds on this clock; only differences between readings mean anything. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now, never synchronously; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** setTimeout fires at once for delays above this (2^31 - 1 ms, about 24.8 days), so clamp. */
const MAX_TIMER_MS = 0x7fffffff;

/** Wall time: `performance.now()` and `setTimeout`. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    return () => clearTimeout(timer);
  },
};
