import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import {
  malformedVectors,
  sharedDialectTable,
  validVectors,
  VECTOR_DIALECTS,
} from "../helpers/sharedVectors.js";

// The vectors come from an independent implementation (pyiso8583, cross-checked with jPOS and a
// CUP terminal's C packer): agreeing with every one of them is the codec's main proof.
for (const name of VECTOR_DIALECTS) {
  describe(`codec vectors: ${name}`, () => {
    const dialect = builtinDialect(name);

    it("the built-in field table equals the shared one", () => {
      const shared = sharedDialectTable(name);
      assert.deepEqual(dialect.table.fields, shared.fields);
      assert.deepEqual(dialect.table.undefined_fields, shared.undefined_fields);
      assert.deepEqual(dialect.table.mti, shared.mti);
      assert.deepEqual(
        { ...dialect.table.bitmap },
        shared.bitmap,
      );
      const header = dialect.table.header;
      const sharedHeader = shared.header as { bytes: number } | null;
      assert.equal(header?.bytes ?? null, sharedHeader?.bytes ?? null);
    });

    const valid = validVectors(name);
    it(`decodes all ${valid.length} valid vectors to exactly their fields`, () => {
      for (const v of valid) {
        const m = unpack(dialect, Buffer.from(v.hex, "hex"));
        assert.equal(m.mti, v.mti, v.id);
        assert.equal(m.header, v.header, v.id);
        assert.deepEqual(m.fields, v.fields, v.id);
        assert.deepEqual(Object.keys(m.fields), Object.keys(v.fields), `${v.id}: field order`);
      }
    });

    it(`encodes all ${valid.length} valid vectors to exactly their bytes`, () => {
      for (const v of valid) {
        const bytes = pack(dialect, { mti: v.mti, header: v.header, fields: v.fields });
        assert.equal(bytes.toString("hex").toUpperCase(), v.hex, v.id);
      }
    });

    const malformed = malformedVectors(name);
    it(`rejects all ${malformed.length} malformed vectors, naming the same field`, () => {
      for (const v of malformed) {
        let caught: unknown;
        try {
          unpack(dialect, Buffer.from(v.hex, "hex"));
        } catch (e) {
          caught = e;
        }
        assert.ok(caught instanceof Iso8583Error, `${v.id} (${v.kind}): expected an Iso8583Error, got ${caught}`);
        assert.equal(caught.field, v.error_field, `${v.id} (${v.kind}): ${v.note}: ${caught.message}`);
        assert.equal(caught.offset, v.offset, `${v.id} (${v.kind}) offset: ${caught.message}`);
      }
    });
  });
}
