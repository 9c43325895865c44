import { type Clock, realClock } from "./clock.js";
import { LinkError, reasons } from "./linkError.js";

const never = () => {};

/**
 * Calls `onExpire` after `ms` milliseconds of `clock` time unless the returned function cancels
 * it first. `Infinity` never expires; a bad `ms` throws, naming it `deadlineMs`.
 */
export function deadline(ms: number, onExpire: () => void, clock: Clock = realClock): () => void {
  checkDeadline("deadlineMs", ms);
  if (ms === Infinity) return never;
  return clock.setTimer(ms, onExpire);
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
