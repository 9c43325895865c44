import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { fuzzDecoder } from "../helpers/fuzzDecoder.js";
import { validVectors, VECTOR_DIALECTS } from "../helpers/sharedVectors.js";

// The seed corpus is the shared valid vectors; longer runs: `npm run fuzz`.
describe("decoder fuzzing: mutated and random frames", () => {
  for (const name of VECTOR_DIALECTS) {
    it(`${name}: 40,000 frames give a canonical message or an Iso8583Error`, () => {
      const dialect = builtinDialect(name);
      const seeds = validVectors(name).map((v) => Buffer.from(v.hex, "hex"));
      const result = fuzzDecoder(dialect, seeds, 40_000, 0x15c0 + name.length);
      // Mutations must mostly break frames, and sometimes not: both paths get exercised.
      assert.ok(result.rejected > result.cases / 2, JSON.stringify(result));
      assert.ok(result.accepted > 100, JSON.stringify(result));
    });
  }
});
