import fc from "fast-check";
import type { ScenarioCard } from "../src/scenario/scenario.js";

/**
 * Test card ranges: CUP (62), Visa (4) and Mastercard (54) BINs from the networks' published
 * test ranges, so a generated PAN never belongs to a real cardholder.
 */
export const TEST_BINS = ["622588", "621483", "476173", "541333"] as const;

export interface CardConstraints {
  /** BINs to draw from (default TEST_BINS). */
  bins?: readonly string[];
  /** PAN lengths to draw from (default 16 and 19). */
  lengths?: readonly number[];
}

/** A Luhn-valid test card, swiped or keyed, with an expiry in the future. */
export function card(constraints: CardConstraints = {}): fc.Arbitrary<ScenarioCard> {
  const bins = constraints.bins ?? TEST_BINS;
  const lengths = constraints.lengths ?? [16, 19];
  if (bins.length === 0 || lengths.some((n) => n < 13 || n > 19)) throw new Error("card: bins must not be empty and lengths must be 13-19");
  return fc
    .record({
      bin: fc.constantFrom(...bins),
      length: fc.constantFrom(...lengths),
      account: fc.nat(999_999_999),
      expiry: fc.constantFrom("2812", "2906", "3112"),
      swiped: fc.boolean(),
    })
    .map(({ bin, length, account, expiry, swiped }): ScenarioCard => ({ bin, account, length, expiry, swiped }));
}
