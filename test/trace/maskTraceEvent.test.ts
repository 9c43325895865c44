import assert from "node:assert/strict";
import { maskFrameHex, maskTraceEvent } from "../../src/trace/maskTraceEvent.js";
import { bytesOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { cup, MAC, PAN, packed, purchaseRequest } from "./support/cupMessages.js";

const requestHex = packed(purchaseRequest()).toString("hex").toUpperCase();
/** Field 2 data (8 bytes of BCD) and field 35 data (12 bytes) of the request, by byte offset. */
const FIELD_2 = [22, 30];
const FIELD_35 = [46, 58];

/** `hex` with `*` over the byte ranges, as the masker writes it. */
function starred(hex: string, ...ranges: number[][]): string {
  let out = hex;
  for (const [start, end] of ranges) out = out.slice(0, 2 * start) + "*".repeat(2 * (end - start)) + out.slice(2 * end);
  return out;
}

describe("maskTraceEvent", () => {
  it("hides the data of fields 2 and 35 in the hex, keeping prefixes, the MAC and everything else", () => {
    assert.ok(requestHex.includes(PAN), "a BCD PAN reads as itself in the hex");
    const masked = maskFrameHex(cup, requestHex);
    assert.equal(masked, starred(requestHex, FIELD_2, FIELD_35));
    assert.ok(!masked.includes(PAN.slice(0, 8)) && !masked.includes(PAN.slice(8)));
    assert.ok(masked.endsWith(MAC));
  });

  it("masks the message and the bytes of a frame event, leaving the original as it was", () => {
    const event: TraceEvent = {
      seq: 0,
      t: 0,
      dir: "kit→sut",
      kind: "frame",
      bytes: requestHex,
      message: purchaseRequest(),
    };
    const masked = maskTraceEvent(event, cup);
    assert.equal(masked.kind, "frame");
    assert.equal(masked.message?.fields["2"], "622588******5678");
    assert.equal(masked.message?.fields["35"], "622588******5678D*******");
    assert.equal(masked.message?.fields["64"], MAC);
    assert.equal(masked.bytes, starred(requestHex, FIELD_2, FIELD_35));
    assert.equal(event.bytes, requestHex);
    assert.equal(event.message?.fields["2"], PAN);
  });

  it("returns a kit event, or a frame without card data, as it is", () => {
    const note: TraceEvent = { seq: 0, t: 0, dir: "kit", kind: "note", text: "hello" };
    assert.equal(maskTraceEvent(note, cup), note);
    const { "2": _pan, "35": _track, ...rest } = purchaseRequest().fields;
    const clean = { mti: "0200", fields: rest };
    const frame: TraceEvent = { seq: 1, t: 0, dir: "kit→sut", kind: "frame", bytes: packed(clean).toString("hex").toUpperCase(), message: clean };
    assert.equal(maskTraceEvent(frame, cup), frame);
  });

  describe("a frame that does not decode: header, MTI and primary bitmap stay, all past them is hidden", () => {
    // cup: an 11-byte header, a 2-byte BCD MTI, then the 8-byte primary bitmap; its data from byte 21.
    const BITMAP_END = 21;

    it("failing inside a masked field (track 2 cut short)", () => {
      const cut = requestHex.slice(0, 2 * 50);
      assert.equal(maskFrameHex(cup, cut), starred(cut, [BITMAP_END, 50]));
    });

    it("failing at a field that is not masked (a bad BCD nibble in the amount): field 2 before it is hidden too", () => {
      const bad = `${requestHex.slice(0, 2 * 33)}A${requestHex.slice(2 * 33 + 1)}`;
      assert.equal(maskFrameHex(cup, bad), starred(bad, [BITMAP_END, bad.length / 2]));
    });

    it("a bit cleared in the bitmap: the PAN's digits would read as other fields, which are never masked", () => {
      const bytes = Buffer.from(requestHex, "hex");
      bytes[13] &= ~0x40; // bit 2: the PAN's length and digits are now read as field 3 and on
      const hex = bytes.toString("hex").toUpperCase();
      assert.equal(maskFrameHex(cup, hex), starred(hex, [BITMAP_END, bytes.length]));
    });

    it("an MTI that does not decode: only the header stays", () => {
      const badMti = `${requestHex.slice(0, 2 * 11)}F${requestHex.slice(2 * 11 + 1)}`;
      assert.equal(maskFrameHex(cup, badMti), starred(badMti, [11, badMti.length / 2]));
    });

    it("a bit for an undefined field that MASK_RULES masks (34, extended PAN)", () => {
      const bytes = Buffer.from(requestHex, "hex");
      bytes[17] |= 0x40;
      const hex = bytes.toString("hex").toUpperCase();
      assert.equal(maskFrameHex(cup, hex), starred(hex, [BITMAP_END, bytes.length]));
    });
  });

  it("link-error bytes: the first 4 bytes stay, the rest is hidden", () => {
    const event: TraceEvent = { seq: 0, t: 0, dir: "sut→kit", kind: "link-error", bytes: `005C${requestHex.slice(0, 20)}`, detail: { code: "bad_length", reason: "too short", fatal: true } };
    assert.equal(bytesOf(maskTraceEvent(event, cup)), `005C${requestHex.slice(0, 4)}${"*".repeat(16)}`);
  });

  it("bytes masked already (a masked trace read back) are left as they are", () => {
    const once = maskFrameHex(cup, requestHex);
    assert.equal(maskFrameHex(cup, once), once);
  });
});
