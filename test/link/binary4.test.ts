import assert from "node:assert/strict";
import { binary4 } from "../../src/link/binary4.js";
import { deframeAll, hex } from "./support/deframeAll.js";

describe("binary4", () => {
  it("writes a 4-byte big-endian length before the body", () => {
    assert.deepEqual(binary4().encode(Buffer.from("ab")), hex("00 00 00 02 61 62"));
    assert.deepEqual(binary4({ lengthIncludesHeader: true }).encode(Buffer.from("ab")), hex("00 00 00 06 61 62"));
  });

  it("reads the header back", () => {
    assert.deepEqual(deframeAll(binary4(), [hex("00 00 00 01 7A")]), [
      { kind: "frame", body: hex("7A"), raw: hex("00 00 00 01 7A"), offset: 0 },
    ]);
  });

  it("a 64 KB length is above maxFrame: fatal", () => {
    assert.deepEqual(deframeAll(binary4(), [hex("00 01 00 00")]), [
      {
        kind: "error",
        code: "above_max_frame",
        reason: "length header 00 01 00 00 declares 65536 bytes; expected at most 8192 (maxFrame)",
        bytes: hex("00 01 00 00"),
        offset: 0,
        fatal: true,
      },
    ]);
  });
});
