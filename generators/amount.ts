import fc from "fast-check";
import { CROSS_SHRINK } from "./shrinking.js";

export interface AmountConstraints {
  /** Smallest amount in minor units (default 1). */
  min?: number;
  /** Largest amount in minor units (default 9,999,999: 99,999.99). */
  max?: number;
  /** Amounts a SUT treats specially (decline rules, limits), generated more often. */
  boundaries?: readonly number[];
  /**
   * Amounts outside min..max that the amount field still holds, generated as rarely as a
   * boundary (default none): zero and the field's largest (999,999,999,999 for n12), the
   * values a host's arithmetic and its "amount must be positive" rule meet last.
   */
  extremes?: readonly number[];
}

/**
 * Default boundaries: a round 10,000.00 limit and either side of it (a common per-transaction
 * limit, the reference host's among them), and amounts ending in 51, which the reference host
 * declines as insufficient funds.
 */
export const DEFAULT_AMOUNT_BOUNDARIES: readonly number[] = [1_000_000, 1_000_001, 999_999, 151, 5_151];

/**
 * An amount in minor units, shrinking towards small round values: mostly everyday amounts,
 * sometimes a boundary (the limits, the SUT's documented decline triggers, the extremes; a
 * boundary shrinks towards \`min\`, so an extreme stays only where it is what fails).
 */
export function amount(constraints: AmountConstraints = {}): fc.Arbitrary<number> {
  const min = constraints.min ?? 1;
  const max = constraints.max ?? 9_999_999;
  if (!(Number.isInteger(min) && Number.isInteger(max) && 0 < min && min <= max)) {
    throw new Error(`amount: need integers 0 < min <= max, got min ${min}, max ${max}`);
  }
  const extremes = constraints.extremes ?? [];
  if (!extremes.every((e) => Number.isSafeInteger(e) && e >= 0)) throw new Error(`amount: extremes must be safe integers >= 0, got ${extremes.join(", ")}`);
  const boundaries = [min, max, ...(constraints.boundaries ?? DEFAULT_AMOUNT_BOUNDARIES)].filter((b) => b >= min && b <= max).concat(extremes);
  const wholeMin = Math.ceil(min / 100);
  const wholeMax = Math.floor(max / 100);
  const whole = wholeMin <= wholeMax ? [{ weight: 6, arbitrary: fc.integer({ min: wholeMin, max: wholeMax }).map((n) => n * 100) }] : [];
  return fc.oneof(CROSS_SHRINK, ...whole, { weight: 3, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(...boundaries) });
}
