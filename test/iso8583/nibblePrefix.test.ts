import assert from "node:assert/strict";
import fc from "fast-check";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { DialectError, loadDialect } from "../../src/iso8583/dialect.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";

// "LLL in 1.5 bytes": three BCD length nibbles, the value's first digit in the same byte as the
// last of them, a filler nibble at the end when the total is odd. Seen on terminals that pack a
// PAN or track this tightly.
function dialect(field2: object) {
  const t = structuredClone(builtinDialect("iso87binary").table) as any;
  t.dialect = "lab-nibbles";
  t.fields = t.fields.map((f: any) => (f.number === 2 ? { ...f, length_type: "LLL", length_prefix_encoding: "bcd", length_prefix_bytes: 2, length_prefix_nibbles: 3, max_length: 19, pad: { side: "right", char: "F" }, ...field2 } : f));
  return loadDialect(t, "lab-nibbles.json");
}

describe("a length prefix of three nibbles that shares a byte with the data", () => {
  const d = dialect({});
  /** Field 2's bytes in a packed message with only field 3 beside it. */
  const field2 = (pan: string) => {
    const frame = pack(d, { mti: "0200", fields: { "2": pan, "3": "000000" } });
    return frame.subarray(2 + 8, frame.length - 3).toString("hex").toUpperCase();
  };

  it("packs 016 then the digits, one filler nibble for an odd total, and reads it back", () => {
    assert.equal(field2("4761739001010119"), "0164761739001010119F");
    assert.equal(field2("476173900101011"), "015476173900101011", "an even total: no filler");
    const frame = pack(d, { mti: "0200", fields: { "2": "4761739001010119", "3": "000000" } });
    assert.deepEqual(unpack(d, frame), { mti: "0200", fields: { "2": "4761739001010119", "3": "000000" } });
  });

  it("property: any digits up to the maximum round-trip, whatever follows", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,19}$/), fc.stringMatching(/^[0-9]{6}$/), (pan, code) => {
        const m = { mti: "0200", fields: { "2": pan, "3": code } };
        assert.deepEqual(unpack(d, pack(d, m)), m);
      }),
    );
  });

  it("a bad prefix, a length above the maximum, a cut, a wrong filler: errors naming field 2 and the offset", () => {
    const frame = pack(d, { mti: "0200", fields: { "2": "4761739001010119", "3": "000000" } });
    const at = 2 + 8; // MTI and bitmap
    const broken = (edit: (b: Buffer) => void) => {
      const b = Buffer.from(frame);
      edit(b);
      return b;
    };
    const fails = (b: Buffer, kind: string, offset: number) =>
      assert.throws(() => unpack(d, b), (e: unknown) => e instanceof Iso8583Error && e.field === "2" && e.kind === kind && e.offset === offset);
    fails(broken((b) => (b[at] = 0xa1)), "bad_length_prefix", at);
    fails(broken((b) => (b[at] = 0x02)), "length_above_max", at); // 02x: 20 and more
    fails(frame.subarray(0, at + 5), "truncated", at + 1);
    fails(broken((b) => (b[at + 9] = 0x90)), "bad_pad", at + 9);
  });

  it("only where it can mean that: an LLL BCD prefix over BCD digits, the filler at the end", () => {
    assert.throws(() => dialect({ data_encoding: "ascii", length_unit: "bytes", pad: null }), (e: unknown) => e instanceof DialectError && /field 2\)\.length_prefix_nibbles: a 3-nibble prefix goes with length_type LLL, bcd prefix and bcd data counting digits/.test(e.message));
    assert.throws(() => dialect({ pad: { side: "left", char: "0" } }), /field 2\)\.pad: with a 3-nibble prefix the filler of an odd total goes at the end/);
  });
});
