import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import { deframeAll, hex } from "./support/deframeAll.js";

describe("binary2", () => {
  it("writes a 2-byte big-endian length before the body", () => {
    assert.deepEqual(binary2().encode(Buffer.alloc(0x0115, 0x41)).subarray(0, 3), hex("01 15 41"));
    assert.deepEqual(binary2({ lengthIncludesHeader: true }).encode(Buffer.from("ab")), hex("00 04 61 62"));
  });

  it("reads the header back", () => {
    assert.deepEqual(deframeAll(binary2(), [hex("00 02 61 62")]), [
      { kind: "frame", body: hex("61 62"), raw: hex("00 02 61 62"), offset: 0 },
    ]);
  });

  it("a 64 KB header is above the default maxFrame of 8192: fatal, with the header as the bytes seen", () => {
    assert.deepEqual(deframeAll(binary2(), [hex("FF FF 00 01 02")]), [
      {
        kind: "error",
        code: "above_max_frame",
        reason: "length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)",
        bytes: hex("FF FF"),
        offset: 0,
        fatal: true,
      },
    ]);
  });

  it("carries up to 65535 bytes", () => {
    const body = Buffer.alloc(0xffff, 7);
    const [event] = deframeAll(binary2({ maxFrame: 0xffff }), [binary2({ maxFrame: 0xffff }).encode(body)]);
    assert.ok(event.kind === "frame" && event.body.equals(body));
    assert.throws(() => binary2({ maxFrame: 0x10000 }), {
      message: "maxFrame 65536 is more than a binary2 header can carry (65535)",
    });
  });
});
