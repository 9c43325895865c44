import assert from "node:assert/strict";
import fc from "fast-check";
import type { FieldTable } from "../../src/iso8583/dialectTable.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { ascii } from "../../src/iso8583/encodings/ascii.js";
import { bcd } from "../../src/iso8583/encodings/bcd.js";
import { binary } from "../../src/iso8583/encodings/binary.js";
import type { DataCodec } from "../../src/iso8583/encodings/dataCodec.js";

// Each data encoding on its own, below the field codec: the exact bytes it writes, what it reads
// back, and the error (field key, offset, reason) for what it refuses.

/** A field record with what the encodings read; the rest as a fixed LL field would have it. */
function field(o: Pick<FieldTable, "content" | "data_encoding"> & Partial<FieldTable>): FieldTable {
  return { number: 2, length_type: "fixed", length_prefix_encoding: null, length_prefix_bytes: null, max_length: 19, length_unit: "bytes", pad: null, ...o } as FieldTable;
}

function written(codec: DataCodec, value: string): string {
  const buf = Buffer.alloc(codec.byteLength(codec.measure(value)));
  assert.equal(codec.write(buf, 0, value), buf.length, "write returns the position after the value");
  return buf.toString("hex").toUpperCase();
}

function read(codec: DataCodec, hex: string, units: number, at = 0): string {
  const buf = Buffer.concat([Buffer.alloc(at), Buffer.from(hex, "hex")]);
  return codec.read(buf, at, units);
}

function refuses(f: () => unknown, kind: string, offset: number | undefined, reason: RegExp) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof Iso8583Error, String(e));
    assert.equal(e.field, "2");
    assert.equal(e.kind, kind);
    assert.equal(e.offset, offset);
    assert.match(e.reason, reason);
    return true;
  });
}

describe("encodings", () => {
  describe("ascii: one byte per character, the content class checked both ways", () => {
    const an = ascii(field({ content: "an", data_encoding: "ascii" }), "2");
    const ans = ascii(field({ content: "ans", data_encoding: "ascii" }), "2");
    const amount = ascii(field({ content: "x+n", data_encoding: "ascii" }), "2");

    it("writes each character as its byte, and reads it back", () => {
      assert.equal(written(an, "TERM01"), "5445524D3031");
      assert.equal(read(an, "5445524D3031", 6), "TERM01");
      assert.equal(written(amount, "C00001000"), "433030303031303030");
    });

    it("refuses characters outside the class, counting from 1 in the reason, the byte offset in the error", () => {
      refuses(() => an.measure("AB-1"), "bad_value", undefined, /position 3/);
      refuses(() => read(ans, "41420142", 4, 7), "bad_content", 7, /position 3/);
      refuses(() => amount.measure("X100"), "bad_value", undefined, /position 1/);
    });

    it("property: any printable text round-trips through ans", () => {
      fc.assert(fc.property(fc.stringMatching(/^[ -~]{0,40}$/), (s) => read(ans, written(ans, s), s.length) === s));
    });
  });

  describe("bcd: two digits a byte, the filler nibble where the dialect puts it", () => {
    const left = bcd(field({ content: "n", data_encoding: "bcd", length_unit: "digits", pad: { side: "left", char: "0" } }), "2");
    const right = bcd(field({ content: "n", data_encoding: "bcd", length_unit: "digits", pad: { side: "right", char: "F" } }), "2");
    const track = bcd(field({ content: "z", data_encoding: "bcd", length_unit: "digits", pad: { side: "right", char: "0" } }), "2");
    const bytes = bcd(field({ content: "n", data_encoding: "bcd", length_unit: "bytes" }), "2");

    it("packs digits, an odd count filled on the side the dialect says", () => {
      assert.equal(written(left, "021"), "0021");
      assert.equal(written(right, "021"), "021F");
      assert.equal(written(left, "1234"), "1234");
      assert.equal(read(left, "0021", 3), "021");
      assert.equal(read(right, "021F", 3), "021");
    });

    it("track data carries its separator as the nibble D, written D in the value (never =)", () => {
      assert.equal(written(track, "6225881234D2512"), "6225881234D25120");
      refuses(() => track.measure("6225881234=2512"), "bad_value", undefined, /position 11/);
      assert.equal(read(track, "6225881234D25120", 15), "6225881234D2512");
    });

    it("a length counting bytes takes an even number of digits only", () => {
      assert.equal(written(bytes, "1234"), "1234");
      refuses(() => bytes.measure("123"), "bad_value", undefined, /even number of digits/);
    });

    it("a length counting bytes with a filler F: odd digit counts fill their last byte, and read back without it", () => {
      const filled = bcd(field({ content: "z", data_encoding: "bcd", length_unit: "bytes", pad: { side: "right", char: "F" } }), "2");
      assert.equal(written(filled, "4761D2512"), "4761D2512F");
      assert.equal(read(filled, "4761D2512F", 5), "4761D2512");
      assert.equal(written(filled, "47612512"), "47612512");
      assert.equal(read(filled, "47612512", 4), "47612512");
      refuses(() => read(filled, "47F12512", 4, 3), "bad_content", 3, /BCD digit 3 is not a decimal digit/);
    });

    it("refuses a nibble that is no digit and a filler that is not the dialect's, naming where", () => {
      refuses(() => read(left, "12A4", 4, 5), "bad_content", 5, /BCD digit 3 is not a decimal digit/);
      refuses(() => read(left, "1021", 3, 2), "bad_pad", 2, /filler nibble is not 0/);
      refuses(() => left.measure("12=4"), "bad_value", undefined, /position 3/);
    });

    it("property: any digits round-trip, odd or even, filled left or right", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[0-9]{0,19}$/), fc.boolean(), (digits, onLeft) => {
          const codec = onLeft ? left : right;
          return read(codec, written(codec, digits), digits.length) === digits;
        }),
      );
    });
  });

  describe("binary: raw bytes, carried as hex", () => {
    const b = binary(field({ content: "b", data_encoding: "binary" }), "2");

    it("writes hex as its bytes (either case), reads upper case, short and long alike", () => {
      assert.equal(written(b, "8e1a4f77c20b39d5"), "8E1A4F77C20B39D5");
      const long = "AB".repeat(100);
      assert.equal(written(b, long), long);
      assert.equal(read(b, "00FF10", 3), "00FF10");
    });

    it("refuses what is not whole bytes of hex", () => {
      refuses(() => b.measure("ABC"), "bad_value", undefined, /even number of hexadecimal characters/);
      refuses(() => b.measure("GG"), "bad_value", undefined, /hexadecimal/);
    });

    it("property: any bytes round-trip", () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = Buffer.from(bytes).toString("hex").toUpperCase();
        return read(b, written(b, hex), bytes.length) === hex;
      }));
    });
  });
});
