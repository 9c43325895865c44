import assert from "node:assert/strict";
import fc from "fast-check";
import { validVectors } from "../helpers/sharedVectors.js";
import { EMV_TAG_NAMES, TlvError, decodeTlv, encodeTlv, tlvToMap, type TlvInput, type TlvItem } from "../../src/iso8583/tlv.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** Field 55 of the real CUP purchase frame in the shared vectors (codetd.com/article/5053461). */
function realField55(): string {
  const vector = validVectors("cup").find((v) => v.id === "cup-real-0200-purchase");
  assert.ok(vector, "vector cup-real-0200-purchase is missing");
  return vector.fields["55"];
}

/** A test-local encoder, written apart from tlv.ts: the shortest BER length form. */
function ber(tag: string, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n <= 0xff ? [0x81, n] : n <= 0xffff ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(tag, "hex"), Buffer.from(length), content]);
}

/** A well-formed tag: class bits, the constructed bit as asked, one to three bytes. */
const tagArb = (constructed: boolean): fc.Arbitrary<string> =>
  fc.tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((n) => [n]),
      fc.array(fc.integer({ min: 0, max: 0x7f }), { minLength: 1, maxLength: 2 }).map((rest) => [0x1f, ...rest]),
    ),
  ).map(([cls, [first, ...rest]]) => {
    const bytes = [(cls << 6) | (constructed ? 0x20 : 0) | first, ...rest.map((b, i) => (i < rest.length - 1 ? b | 0x80 : b))];
    return Buffer.from(bytes).toString("hex").toUpperCase();
  });

/** Items together with their canonical encoding, each built independently of tlv.ts. */
type Encoded = { item: TlvItem; bytes: Buffer };
const { node } = fc.letrec<{ node: Encoded; primitive: Encoded; constructed: Encoded }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("primitive"), tie("constructed")),
  primitive: fc.tuple(tagArb(false), fc.uint8Array({ maxLength: 300 })).map(([tag, v]) => {
    const value = Buffer.from(v);
    return { item: { tag, length: value.length, value: value.toString("hex").toUpperCase() }, bytes: ber(tag, value) };
  }),
  constructed: fc.tuple(tagArb(true), fc.array(tie("node"), { maxLength: 4 })).map(([tag, kids]) => {
    const content = Buffer.concat(kids.map((k) => k.bytes));
    return {
      item: { tag, length: content.length, value: content.toString("hex").toUpperCase(), children: kids.map((k) => k.item) },
      bytes: ber(tag, content),
    };
  }),
}));
const sequence = fc.array(node, { maxLength: 5 }).map((list) => ({
  items: list.map((e) => e.item),
  bytes: Buffer.concat(list.map((e) => e.bytes)),
}));

/** Every reason decoding may give: the decode error catalogue. */
const DECODE_REASONS = new Set([
  "tag runs past the end of the data",
  "length runs past the end of the data",
  "indefinite length (0x80) is not allowed",
  "length-of-length is over 3 bytes",
  "value runs past the end of the data",
  "constructed tags nest deeper than 32 levels",
]);

describe("tlv", () => {
  describe("decodeTlv", () => {
    it("decodes the real field 55 and encodes it back to the same bytes", () => {
      const bytes = hex(realField55());
      const items = decodeTlv(bytes);
      assert.deepEqual(items.map((i) => i.tag), [
        "9F26", "9F27", "9F10", "9F37", "9F36", "95", "9A", "9C", "9F02", "5F2A",
        "82", "9F1A", "9F03", "9F33", "9F35", "9F1E", "84", "9F09", "9F41",
      ]);
      const map = tlvToMap(items);
      assert.equal(map["9F26"], "95BBE372271DDA7C");
      assert.equal(map["9A"], "190830");
      assert.equal(map["84"], "A000000333010102");
      assert.deepEqual(encodeTlv(items), bytes);
    });

    it("reads multi-byte tags, long-form lengths and constructed templates", () => {
      const long = Buffer.alloc(200, 0x11);
      const items = decodeTlv(Buffer.concat([hex("DF8101 02 ABCD"), ber("86", long), hex("72 0B 9F1804 00000001 8602 8400")]));
      assert.deepEqual(items, [
        { tag: "DF8101", length: 2, value: "ABCD" },
        { tag: "86", length: 200, value: long.toString("hex").toUpperCase() },
        {
          tag: "72", length: 11, value: "9F18040000000186028400",
          children: [{ tag: "9F18", length: 4, value: "00000001" }, { tag: "86", length: 2, value: "8400" }],
        },
      ]);
    });

    it("reads a 3-byte length", () => {
      const big = Buffer.alloc(0x10000, 0x5a);
      const [item] = decodeTlv(Buffer.concat([hex("C1 83 010000"), big]));
      assert.equal(item.length, 0x10000);
      assert.deepEqual(encodeTlv([item]).subarray(0, 5), hex("C1 83 010000"));
    });

    it("accepts a longer length form than needed", () => {
      assert.deepEqual(decodeTlv(hex("5A 81 02 1234")), [{ tag: "5A", length: 2, value: "1234" }]);
    });

    it("returns no items for no bytes, and an empty value for length 0", () => {
      assert.deepEqual(decodeTlv(Buffer.alloc(0)), []);
      assert.deepEqual(decodeTlv(hex("9F0300")), [{ tag: "9F03", length: 0, value: "" }]);
      assert.deepEqual(decodeTlv(hex("7000")), [{ tag: "70", length: 0, value: "", children: [] }]);
    });
  });

  describe("errors", () => {
    // The error catalogue: input hex, kind, offset, full text. No text carries a tag or data.
    const decodeCases: [string, string, string, number, string][] = [
      // tags
      ["first tag byte alone", "9F", "truncated_tag", 0, "tag runs past the end of the data: pos 0"],
      ["continued tag cut", "5A0112 DF81", "truncated_tag", 3, "tag runs past the end of the data: pos 3"],
      // lengths
      ["no length byte", "9F26", "truncated_length", 2, "length runs past the end of the data: pos 2"],
      ["long form cut", "9F26 82 01", "truncated_length", 2, "length runs past the end of the data: pos 2"],
      ["indefinite length", "70 80 0000", "indefinite_length", 1, "indefinite length (0x80) is not allowed: pos 1"],
      ["four length bytes", "9F26 84 00000001 AA", "length_of_length", 2, "length-of-length is over 3 bytes: pos 2"],
      // values
      ["value cut", "9F26 05 0102", "truncated_value", 3, "value runs past the end of the data: pos 3"],
      ["long-form value cut", "5A 81 80 00", "truncated_value", 3, "value runs past the end of the data: pos 3"],
      ["child runs past its template", "70 03 9F2601 AA", "truncated_value", 5, "value runs past the end of the data: pos 5"],
      ["after a good item", "5A0112 9F0203 00", "truncated_value", 6, "value runs past the end of the data: pos 6"],
    ];
    for (const [name, input, kind, offset, message] of decodeCases) {
      it(`decode: ${name}`, () => {
        assert.throws(() => decodeTlv(hex(input)), (e: unknown) => {
          assert.ok(e instanceof TlvError);
          assert.deepEqual([e.kind, e.offset, e.message], [kind, offset, message]);
          return true;
        });
      });
    }

    it("decode: constructed tags nested 33 deep (32 is fine)", () => {
      let bytes: Buffer = Buffer.alloc(0);
      for (let i = 0; i < 40; i++) bytes = ber("70", bytes);
      assert.throws(() => decodeTlv(bytes), { name: "TlvError", kind: "too_deep", message: "constructed tags nest deeper than 32 levels: pos 66" });
      let ok: Buffer = Buffer.alloc(0);
      for (let i = 0; i < 32; i++) ok = ber("70", ok);
      assert.equal(decodeTlv(ok).length, 1);
    });

    const encodeCases: [string, TlvInput[], string][] = [
      ["empty tag", [{ tag: "", value: "" }], "tag must be a non-empty even number of hex characters: pos 0"],
      ["odd tag", [{ tag: "9F2", value: "" }], "tag must be a non-empty even number of hex characters: pos 0"],
      ["cut multi-byte tag", [{ tag: "9F", value: "" }], "tag bytes are not exactly one BER tag: pos 0"],
      ["two tags in one", [{ tag: "5A5A", value: "" }], "tag bytes are not exactly one BER tag: pos 0"],
      ["odd value", [{ tag: "5A", value: "123" }], "value must be an even number of hex characters: pos 0"],
      ["non-hex value", [{ tag: "5A", value: "zz" }], "value must be an even number of hex characters: pos 0"],
      ["wrong length", [{ tag: "5A", length: 3, value: "1234" }], "length does not match the value: pos 0"],
      ["constructed without children", [{ tag: "70", value: "" }], "constructed tag needs children: pos 0"],
      ["primitive with children", [{ tag: "5A", value: "", children: [] }], "primitive tag cannot have children: pos 0"],
      ["children and value disagree", [{ tag: "70", value: "00", children: [] }], "value does not match the encoded children: pos 0"],
      ["bad child, second item", [{ tag: "5A", value: "12" }, { tag: "70", children: [{ tag: "9F", value: "" }] }],
        "tag bytes are not exactly one BER tag: pos 3"],
    ];
    for (const [name, items, message] of encodeCases) {
      it(`encode: ${name}`, () => {
        assert.throws(() => encodeTlv(items), { name: "TlvError", kind: "bad_item", message });
      });
    }
  });

  describe("encodeTlv", () => {
    it("builds a constructed tag from children alone, with the shortest lengths", () => {
      const bytes = encodeTlv([{ tag: "71", children: [{ tag: "9F18", value: "00000001" }, { tag: "86", value: "11".repeat(130) }] }]);
      assert.equal(bytes.toString("hex").toUpperCase(), `71 81 8C 9F18 04 00000001 86 81 82 ${"11".repeat(130)}`.replace(/ /g, ""));
    });

    it("accepts lower-case hex", () => {
      assert.deepEqual(encodeTlv([{ tag: "9f26", value: "abcd" }]), hex("9F2602ABCD"));
    });
  });

  describe("tlvToMap", () => {
    it("flattens every depth, keeping the first value of a repeated tag", () => {
      const items = decodeTlv(hex("9F3602 0001 72 07 9F1804 00000001 86 00 9F3602 0002"));
      assert.deepEqual(tlvToMap(items), { "9F36": "0001", "72": "9F180400000001", "9F18": "00000001", "86": "" });
    });
  });

  describe("EMV_TAG_NAMES", () => {
    it("names the field 55 tags", () => {
      assert.equal(EMV_TAG_NAMES["9F26"], "Application Cryptogram");
      assert.equal(EMV_TAG_NAMES["57"], "Track 2 Equivalent Data");
      assert.equal(EMV_TAG_NAMES["5A"], "Application Primary Account Number (PAN)");
      for (const tag of Object.keys(tlvToMap(decodeTlv(hex(realField55()))))) assert.ok(EMV_TAG_NAMES[tag], tag);
    });

    it("keys are upper-case single BER tags", () => {
      for (const tag of Object.keys(EMV_TAG_NAMES)) {
        assert.equal(tag, tag.toUpperCase());
        const [item] = decodeTlv(Buffer.concat([Buffer.from(tag, "hex"), Buffer.of(0)]));
        assert.equal(item.tag, tag);
      }
    });
  });

  describe("properties", () => {
    it("decode after encode gives the same items", () => {
      fc.assert(fc.property(sequence, ({ items }) => {
        assert.deepEqual(decodeTlv(encodeTlv(items)), items);
      }));
    });

    it("encode after decode gives the same bytes for canonical input", () => {
      fc.assert(fc.property(sequence, ({ items, bytes }) => {
        const decoded = decodeTlv(bytes);
        assert.deepEqual(decoded, items);
        assert.deepEqual(encodeTlv(decoded), bytes);
      }));
    });

    it("cutting a one-item encoding anywhere inside is a TlvError", () => {
      fc.assert(fc.property(node, fc.nat(), ({ bytes }, at) => {
        const cut = 1 + (at % (bytes.length - 1));
        assert.throws(() => decodeTlv(bytes.subarray(0, cut)), TlvError);
      }));
    });

    it("random bytes give items or a TlvError with a catalogued reason, never anything else", () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const bytes = Buffer.from(raw);
        try {
          const items = decodeTlv(bytes);
          // Whatever decodes re-encodes, and that re-decodes to the same items.
          assert.deepEqual(decodeTlv(encodeTlv(items)), items);
        } catch (e) {
          if (!(e instanceof TlvError)) throw e;
          assert.ok(DECODE_REASONS.has(e.reason), e.reason);
          assert.equal(e.message, `${e.reason}: pos ${e.offset}`);
          assert.ok(e.offset >= 0 && e.offset <= bytes.length);
        }
      }), { numRuns: 2000 });
    });

    it("mutated valid encodings give items or a TlvError", () => {
      fc.assert(fc.property(sequence, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ bytes }, at, byte) => {
        const mutated = Buffer.from(bytes);
        if (mutated.length > 0) mutated[at % mutated.length] = byte;
        try {
          decodeTlv(mutated);
        } catch (e) {
          if (!(e instanceof TlvError)) throw e;
        }
      }));
    });
  });
});
