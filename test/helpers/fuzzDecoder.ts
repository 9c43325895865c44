import type { Dialect } from "../../src/iso8583/dialect.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { mutate, randomBytes, rng } from "./mutations.js";

export interface FuzzResult {
  cases: number;
  accepted: number;
  rejected: number;
}

/**
 * Feeds `cases` mutated frames (and some random bytes) to the decoder. Each must decode to a
 * message that re-encodes to the very same bytes (the codec is canonical), or be rejected with
 * an Iso8583Error. Anything else is thrown with the seed and the frame that caused it.
 */
export function fuzzDecoder(dialect: Dialect, seeds: Buffer[], cases: number, seed: number): FuzzResult {
  const r = rng(seed);
  const result: FuzzResult = { cases, accepted: 0, rejected: 0 };
  for (let i = 0; i < cases; i++) {
    const base = seeds[Math.floor(r() * seeds.length)];
    let frame = i % 10 === 0 ? randomBytes(r, 64) : mutate(base, r);
    if (r() < 0.3) frame = mutate(frame, r);
    try {
      const m = unpack(dialect, frame);
      const again = pack(dialect, m);
      if (!again.equals(frame)) {
        throw new Error(`accepted a frame that does not re-encode to itself: ${frame.toString("hex")}`);
      }
      result.accepted++;
    } catch (e) {
      if (!(e instanceof Iso8583Error)) {
        throw new Error(`${dialect.name} seed ${seed} case ${i} frame ${frame.toString("hex")}: ${(e as Error).stack}`);
      }
      result.rejected++;
    }
  }
  return result;
}
