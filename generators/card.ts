import fc from "fast-check";
import { cardAllows, type FileCard } from "../src/scenario/cardFile.js";
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
  /**
   * A lab's card file (`--cards`): cards are drawn from it instead, by their place in it, swiped
   * where the card has a track 2 (`bins` and `lengths` then do not apply).
   */
  file?: readonly FileCard[];
}

/** A Luhn-valid test card, swiped or keyed, with an expiry in the future; or a card of the card file. */
export function card(constraints: CardConstraints = {}): fc.Arbitrary<ScenarioCard> {
  const file = constraints.file;
  if (file !== undefined) {
    if (file.length === 0) throw new Error("card: the card file has no card");
    // The first card first: shrinking moves towards it.
    return fc.record({ file: fc.nat(file.length - 1), swiped: fc.boolean() }).map(({ file: i, swiped }) => ({ file: i, swiped: swiped && file[i].track2 !== undefined }));
  }
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

/**
 * The card a step of `op` uses: the one drawn, or where the card file says it may not be used for
 * `op`, the next card of the file that may (undefined when none may: the operation is then left
 * out of the run, see `opsNoCardAllows`).
 */
export function cardFor(op: string, drawn: ScenarioCard, file: readonly FileCard[] | undefined): ScenarioCard | undefined {
  if (file === undefined || !("file" in drawn)) return drawn;
  for (let k = 0; k < file.length; k++) {
    const i = (drawn.file + k) % file.length;
    if (cardAllows(file[i], op)) return { file: i, swiped: drawn.swiped && file[i].track2 !== undefined };
  }
  return undefined;
}

/** Card operations no card of the file may be used for: a run leaves them out. */
export const opsNoCardAllows = (file: readonly FileCard[] | undefined, ops: readonly string[]): string[] =>
  file === undefined ? [] : ops.filter((op) => !file.some((c) => cardAllows(c, op)));
