import assert from "node:assert/strict";
import fc from "fast-check";
import { message } from "../../generators/message.js";
import { BUILTIN_DIALECTS, builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";

describe("codec round trips", () => {
  for (const name of BUILTIN_DIALECTS) {
    const dialect = builtinDialect(name);

    it(`${name}: unpack(pack(m)) = m for any message the field table allows`, () => {
      fc.assert(
        fc.property(message(dialect), (m) => {
          const back = unpack(dialect, pack(dialect, m));
          assert.deepEqual(back, m);
        }),
        { numRuns: 300 },
      );
    });

    it(`${name}: pack(unpack(bytes)) = bytes`, () => {
      fc.assert(
        fc.property(message(dialect), (m) => {
          const bytes = pack(dialect, m);
          assert.ok(pack(dialect, unpack(dialect, bytes)).equals(bytes));
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: a secondary bitmap is sent exactly when a field above 64 is present`, () => {
      fc.assert(
        fc.property(message(dialect), (m) => {
          const bytes = pack(dialect, m);
          const spans: { field: string }[] = [];
          unpack(dialect, bytes, spans as never);
          const high = Object.keys(m.fields).some((k) => Number(k) > 64);
          assert.equal(spans.some((s) => s.field === "1"), high);
        }),
        { numRuns: 100 },
      );
    });
  }
});
