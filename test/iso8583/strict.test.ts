import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import type { Message } from "../../src/iso8583/message.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";

const ascii = builtinDialect("iso87ascii");
const binary = builtinDialect("iso87binary");
const cup = builtinDialect("cup");

/** A small valid frame to corrupt: iso87ascii 0200 with fields 2, 3, 4, 11, 41. */
const asciiBase: Message = {
  mti: "0200",
  fields: { "2": "4761739001010010", "3": "000000", "4": "000000000500", "11": "000001", "41": "TERM0001" },
};
const asciiHex = pack(ascii, asciiBase).toString("latin1");
// Layout: MTI 0-3, bitmap 4-19, field 2 prefix 20-21, data 22-37, field 3 at 38-43 ...

function rejects(dialect: typeof ascii, bytes: Buffer, expected: Partial<Iso8583Error>) {
  let caught: unknown;
  try {
    unpack(dialect, bytes);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Iso8583Error, `expected an Iso8583Error, got ${String(caught)}`);
  for (const [k, v] of Object.entries(expected)) assert.equal((caught as never)[k], v, `${k}: ${caught.message}`);
}

function packRejects(dialect: typeof ascii, m: unknown, expected: Partial<Iso8583Error>) {
  assert.throws(() => pack(dialect, m as Message), (e: unknown) => {
    assert.ok(e instanceof Iso8583Error, String(e));
    for (const [k, v] of Object.entries(expected)) assert.equal((e as never)[k], v, `${k}: ${e.message}`);
    return true;
  });
}

const latin1 = (s: string) => Buffer.from(s, "latin1");
const replaceAt = (s: string, at: number, text: string) => s.slice(0, at) + text + s.slice(at + text.length);

// The error catalogue beyond the shared vectors: what pyiso8583 accepts but a strict codec must not.
describe("strict decoding (cases the shared vectors do not cover)", () => {
  it("decodes the base frame", () => {
    assert.deepEqual(unpack(ascii, latin1(asciiHex)), asciiBase);
  });

  // --- ASCII length prefixes: Python's int() accepts these, we do not.
  for (const prefix of ["+7", "-7", " 7", "1_", "0x"]) {
    it(`rejects the ASCII length prefix ${JSON.stringify(prefix)}`, () => {
      rejects(ascii, latin1(replaceAt(asciiHex, 20, prefix)), {
        kind: "bad_length_prefix",
        field: "2",
        offset: 20,
        reason: "length prefix is not ascii decimal digits",
      });
    });
  }

  // --- content classes
  it("rejects a letter in an ASCII numeric field, naming the character", () => {
    rejects(ascii, latin1(replaceAt(asciiHex, 38 + 2, "A")), {
      kind: "bad_content",
      field: "3",
      offset: 38,
      reason: "the character at position 3 of the value (counting from 1) is not allowed in a field of class n",
    });
  });

  it("rejects a non-digit nibble inside BCD data (not only the filler)", () => {
    const frame = pack(binary, { mti: "0200", fields: { "3": "000000", "11": "000001" } });
    frame[2 + 8 + 1] = 0x0a; // field 3, second byte: 00 0A 00
    rejects(binary, frame, { kind: "bad_content", field: "3", offset: 10, reason: "BCD digit 4 is not a decimal digit" });
  });

  it("allows D as the separator only in BCD track data", () => {
    const track = pack(cup, { mti: "0200", fields: { "35": "6225880012345678D2512" } });
    assert.equal(unpack(cup, track).fields["35"], "6225880012345678D2512");
    packRejects(cup, { mti: "0200", fields: { "2": "62258800D2345678" } }, { kind: "bad_value", field: "2" });
    packRejects(cup, { mti: "0200", fields: { "35": "6225880012345678=2512" } }, { kind: "bad_value", field: "35" });
  });

  it("rejects a filler nibble other than the table's pad character", () => {
    const frame = pack(cup, { mti: "0200", fields: { "22": "021" } }); // left-aligned: 02 10
    frame[11 + 2 + 8 + 1] = 0x1f;
    rejects(cup, frame, { kind: "bad_pad", field: "22", reason: "BCD filler nibble is not 0" });
  });

  it("rejects control characters in an ans field", () => {
    rejects(ascii, latin1(replaceAt(asciiHex, asciiHex.length - 3, "\u0007")), { kind: "bad_content", field: "41" });
  });

  // --- bitmaps
  it("rejects lower-case hex in an ASCII bitmap", () => {
    // Fields 9 and 11 make the bitmap's second byte A0, which has a letter to lower.
    const frame = pack(ascii, { mti: "0200", fields: { "9": "12345678", "11": "000001" } }).toString("latin1");
    const lower = frame.slice(0, 4) + frame.slice(4, 20).toLowerCase() + frame.slice(20);
    assert.notEqual(lower, frame);
    rejects(ascii, latin1(lower), { kind: "bad_bitmap", field: "p", offset: 4, reason: "bitmap is not upper-case hexadecimal" });
  });

  it("rejects a secondary bitmap with no field 65-128 set", () => {
    const frame = pack(binary, { mti: "0200", fields: { "3": "000000" } });
    const withEmpty = Buffer.concat([frame.subarray(0, 10), Buffer.alloc(8), frame.subarray(10)]);
    withEmpty[2] |= 0x80;
    rejects(binary, withEmpty, { kind: "bad_bitmap", field: "1", offset: 10 });
  });

  it("rejects bit 65, which the iso87 tables leave undefined", () => {
    const frame = pack(binary, { mti: "0200", fields: { "70": "301" } });
    frame[2 + 8] |= 0x80; // secondary bitmap bit 65
    rejects(binary, frame, { kind: "undefined_field", field: "65" });
  });

  // --- MTI
  it("rejects an MTI of another ISO version or with non-digits", () => {
    rejects(ascii, latin1(replaceAt(asciiHex, 0, "1200")), { kind: "bad_mti", field: "t", offset: 0 });
    rejects(ascii, latin1(replaceAt(asciiHex, 0, "02X0")), { kind: "bad_mti", field: "t", offset: 0 });
    const frame = pack(binary, { mti: "0200", fields: { "3": "000000" } });
    frame[0] = 0x0a;
    rejects(binary, frame, { kind: "bad_mti", field: "t" });
  });

  it("keeps what decoded before the error, without values in the text", () => {
    const bad = latin1(replaceAt(asciiHex, 38 + 2, "A"));
    try {
      unpack(ascii, bad, []);
      assert.fail("should throw");
    } catch (e) {
      assert.ok(e instanceof Iso8583Error);
      assert.deepEqual(e.partial, { mti: "0200", fields: { "2": "4761739001010010" } });
      assert.deepEqual(e.spans?.map((s) => s.field), ["t", "p", "2"]);
      assert.ok(!e.message.includes("4761739001010010"));
    }
  });
});

describe("strict packing", () => {
  const cases: [string, unknown, Partial<Iso8583Error>][] = [
    ["not an object", null, { kind: "bad_message", field: "message" }],
    ["fields missing", { mti: "0200" }, { kind: "bad_message" }],
    ["MTI not four digits", { mti: "200", fields: {} }, { field: "t", reason: "MTI is not four decimal digits" }],
    ["MTI of 1993 in a 1987 dialect", { mti: "1200", fields: {} }, { field: "t" }],
    ["an undefined field", { mti: "0200", fields: { "65": "1" } }, { field: "65", reason: "this dialect does not define the field" }],
    ["a field key with a leading zero", { mti: "0200", fields: { "03": "000000" } }, { field: "03" }],
    ["a number instead of a string", { mti: "0200", fields: { "3": 0 } }, { field: "3", reason: "value must be a string" }],
    ["a fixed field too short", { mti: "0200", fields: { "3": "00000" } }, { field: "3", reason: "value is 5 bytes, expecting exactly 6" }],
    ["a variable field too long", { mti: "0200", fields: { "2": "1".repeat(20) } }, { field: "2", reason: "value is 20 bytes, expecting at most 19" }],
    ["a letter in a numeric field", { mti: "0200", fields: { "4": "00000000050O" } }, { field: "4", reason: "the character at position 12 of the value (counting from 1) is not allowed in a field of class n" }],
    ["non-ASCII text", { mti: "0200", fields: { "41": "TERM000€" } }, { field: "41" }],
  ];
  for (const [what, m, expected] of cases) {
    it(`rejects ${what}`, () => packRejects(ascii, m, { kind: "bad_value", ...expected }));
  }

  it("rejects bad hex in a binary field and a wrong-size header", () => {
    packRejects(binary, { mti: "0200", fields: { "52": "ZZ00000000000000" } }, { field: "52", reason: "value must be an even number of hexadecimal characters" });
    packRejects(cup, { mti: "0200", header: "6000", fields: {} }, { field: "h", reason: "header must be 22 hexadecimal characters" });
  });

  it("uses the dialect's default header when the message has none", () => {
    const bytes = pack(cup, { mti: "0800", fields: { "11": "000001" } });
    assert.equal(unpack(cup, bytes).header, cup.table.header?.default);
  });
});
