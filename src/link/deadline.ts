import { LinkError, reasons } from "./linkError.js";

/** setTimeout fires at once for delays above this (2^31 - 1 ms, about 24.8 days), so clamp. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Calls `onExpire` after `ms` milliseconds unless the returned function cancels it first.
 * `Infinity` never expires; a bad `ms` throws, naming it `deadlineMs`.
 */
export function deadline(ms: number, onExpire: () => void): () => void {
  checkDeadline("deadlineMs", ms);
  if (ms === Infinity) return () => {};
  const timer = setTimeout(onExpire, Math.min(ms, MAX_TIMER_MS));
  return () => clearTimeout(timer);
}

/** Throws unless `ms` is a number of milliseconds >= 0 (Infinity included). */
export function checkDeadline(what: string, ms: number): void {
  if (!(ms >= 0)) throw new LinkError("invalid_config", reasons.badDeadline(what, ms));
}

/** Validates a count option such as `retries`; returns it or the default. */
export function checkCount(what: string, value: number | undefined, fallback: number): number {
  const count = value ?? fallback;
  if (!Number.isInteger(count) || count < 0) throw new LinkError("invalid_config", reasons.badCount(what, value));
  return count;
}
