import assert from "node:assert/strict";
import fc from "fast-check";
import type { DeframeEvent } from "../../src/link/framing.js";
import { ACK, ETX, lrc, NAK, STX, stxEtx } from "../../src/link/stxEtx.js";
import { deframeAll, hex, splitAt } from "./support/deframeAll.js";

/** A frame built by hand, so the tests do not trust `encode` to check `encode`. */
function frame(data: string, check = lrc(Buffer.from(`${data}\x03`))): Buffer {
  return Buffer.concat([Buffer.of(STX), Buffer.from(data), Buffer.of(ETX, check)]);
}

const framing = stxEtx();

describe("stxEtx", () => {
  it("LRC is the XOR of DATA and ETX, STX excluded", () => {
    // "A" (0x41) XOR ETX (0x03) = 0x42.
    assert.deepEqual(framing.encode(Buffer.from("A")), hex("02 41 03 42"));
    assert.equal(lrc(Buffer.from("A\x03")), 0x42);
    assert.deepEqual(framing.encode(Buffer.from('{"cmd":"sale"}')), frame('{"cmd":"sale"}'));
  });

  it("deframes a frame, with ACK and NAK bytes around it", () => {
    const raw = frame("hi");
    assert.deepEqual(deframeAll(framing, [Buffer.concat([Buffer.of(ACK), raw, Buffer.of(NAK)])]), [
      { kind: "ack", offset: 0 },
      { kind: "frame", body: Buffer.from("hi"), raw, offset: 1 },
      { kind: "nak", offset: 1 + raw.length },
    ]);
  });

  it("an LRC byte that equals STX, ETX, ACK or NAK is still read as the LRC", () => {
    // Data whose check byte is each control value in turn.
    for (const check of [STX, ETX, ACK, NAK]) {
      const data = String.fromCharCode(check ^ ETX ^ 0x40, 0x40);
      const raw = frame(data);
      assert.equal(raw.at(-1), check);
      assert.deepEqual(deframeAll(framing, [raw, Buffer.of(ACK)]), [
        { kind: "frame", body: Buffer.from(data), raw, offset: 0 },
        { kind: "ack", offset: raw.length },
      ]);
    }
  });

  // The error catalogue: each malformed input, and what the deframer reports.
  const errors: Array<[what: string, chunks: Buffer[], expected: DeframeEvent[]]> = [
    [
      "garbage before STX is skipped and reported",
      [Buffer.concat([Buffer.from("xyz"), frame("ok")])],
      [
        {
          kind: "error",
          code: "garbage",
          reason: "expected STX (0x02), ACK (0x06) or NAK (0x15) between frames",
          bytes: Buffer.from("xyz"),
          offset: 0,
          fatal: false,
        },
        { kind: "frame", body: Buffer.from("ok"), raw: frame("ok"), offset: 3 },
      ],
    ],
    [
      "a bad LRC is reported with the whole frame, and the next frame still decodes",
      [Buffer.concat([frame("ok", 0x00), frame("ok")])],
      [
        {
          kind: "error",
          code: "bad_lrc",
          reason: "bad LRC: expected 0x07, got 0x00",
          bytes: frame("ok", 0x00),
          offset: 0,
          fatal: false,
        },
        { kind: "frame", body: Buffer.from("ok"), raw: frame("ok"), offset: 5 },
      ],
    ],
    [
      "an STX before ETX drops the frame cut short and restarts",
      [Buffer.concat([hex("02 61 62"), frame("ok")])],
      [
        {
          kind: "error",
          code: "unterminated",
          reason: "expected ETX (0x03) before the next STX (0x02)",
          bytes: hex("02 61 62"),
          offset: 0,
          fatal: false,
        },
        { kind: "frame", body: Buffer.from("ok"), raw: frame("ok"), offset: 3 },
      ],
    ],
    [
      "no ETX within maxFrame data bytes",
      [Buffer.concat([Buffer.of(STX), Buffer.alloc(8193, 0x41)])],
      [
        {
          kind: "error",
          code: "unterminated",
          reason: "no ETX (0x03) within 8192 data bytes (maxFrame)",
          bytes: Buffer.concat([Buffer.of(STX), Buffer.alloc(8193, 0x41)]),
          offset: 0,
          fatal: false,
        },
      ],
    ],
    [
      "half a frame at close",
      [hex("02 61 62 03")],
      [
        {
          kind: "error",
          code: "closed_mid_frame",
          reason: "connection closed mid-frame",
          bytes: hex("02 61 62 03"),
          offset: 0,
          fatal: true,
        },
      ],
    ],
  ];
  for (const [what, chunks, expected] of errors) {
    it(what, () => assert.deepEqual(deframeAll(framing, chunks, { end: true }), expected));
  }

  it("a frame of exactly maxFrame data bytes is accepted", () => {
    const small = stxEtx({ maxFrame: 3 });
    assert.deepEqual(
      deframeAll(small, [small.encode(Buffer.from("abc"))]).map((event) => event.kind),
      ["frame"],
    );
    assert.equal(deframeAll(small, [frame("abcd")])[0].kind, "error");
  });

  it("encode refuses STX or ETX in the data", () => {
    assert.throws(() => framing.encode(Buffer.from("ab\x03c")), {
      name: "LinkError",
      code: "invalid_frame",
      message: "stx-etx data must not contain STX (0x02) or ETX (0x03): found 0x03 at byte 2",
    });
    assert.throws(() => framing.encode(Buffer.from("\x02")), {
      message: "stx-etx data must not contain STX (0x02) or ETX (0x03): found 0x02 at byte 0",
    });
  });

  it("property: garbage between frames is reported byte for byte and the frames survive", () => {
    const isMarker = (byte: number) => byte === STX || byte === ACK || byte === NAK;
    const garbage = fc.uint8Array({ minLength: 1, maxLength: 20 }).map((array) => Buffer.from(array.filter((b) => !isMarker(b))));
    const body = fc.uint8Array({ maxLength: 40 }).map((array) => Buffer.from(array.filter((b) => b !== STX && b !== ETX)));
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, body), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (pairs, cuts) => {
        const wire = Buffer.concat(pairs.flatMap(([junk, data]) => [junk, framing.encode(data)]));
        const events = deframeAll(framing, splitAt(wire, cuts.map((cut) => cut % (wire.length + 1))), { end: true });
        const frames = events.flatMap((event) => (event.kind === "frame" ? [event.body] : []));
        const skipped = events.flatMap((event) => (event.kind === "error" ? [event] : []));
        assert.deepEqual(frames, pairs.map(([, data]) => data));
        assert.ok(skipped.every((event) => event.code === "garbage" && !event.fatal));
        assert.deepEqual(Buffer.concat(skipped.map((event) => event.bytes)), Buffer.concat(pairs.map(([junk]) => junk)));
      }),
      { numRuns: 300 },
    );
  });

  it("property: frames and ACK/NAK bytes, split anywhere, come back the same", () => {
    const item = fc.oneof(
      fc.constantFrom<"ack" | "nak">("ack", "nak"),
      fc.uint8Array({ maxLength: 60 }).map((array) => Buffer.from(array.filter((byte) => byte !== STX && byte !== ETX))),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (items, cuts) => {
        const wire = Buffer.concat(
          items.map((it) => (it === "ack" ? Buffer.of(ACK) : it === "nak" ? Buffer.of(NAK) : framing.encode(it))),
        );
        const events = deframeAll(framing, splitAt(wire, cuts.map((cut) => cut % (wire.length + 1))), { end: true });
        assert.deepEqual(
          events.map((event) => (event.kind === "frame" ? event.body : event.kind)),
          items,
        );
      }),
      { numRuns: 300 },
    );
  });
});
