import { builtinDialect } from "../src/iso8583/builtinDialects.js";
import { fuzzDecoder } from "../test/helpers/fuzzDecoder.js";
import { validVectors, VECTOR_DIALECTS } from "../test/helpers/sharedVectors.js";

/**
 * `npm run fuzz [cases] [seed]`: the decoder fuzz of the test suite, longer, seeded with the
 * codec vectors kept in test/fixtures/vectors. A failure prints the seed and the frame; rerun
 * with that seed to reproduce.
 */
const cases = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 0x7fffffff);
for (const name of VECTOR_DIALECTS) {
  const seeds = validVectors(name).map((v) => Buffer.from(v.hex, "hex"));
  const started = performance.now();
  const r = fuzzDecoder(builtinDialect(name), seeds, cases, seed);
  const secs = (performance.now() - started) / 1000;
  console.log(`${name}: ${r.cases} frames (seed ${seed}): ${r.accepted} accepted, ${r.rejected} rejected as Iso8583Error, ${secs.toFixed(1)} s`);
}
