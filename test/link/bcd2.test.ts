import assert from "node:assert/strict";
import { bcd2 } from "../../src/link/bcd2.js";
import { deframeAll, hex } from "./support/deframeAll.js";

describe("bcd2", () => {
  it("writes the length as 4 BCD digits: 115 is 01 15", () => {
    assert.deepEqual(bcd2().encode(Buffer.alloc(115)).subarray(0, 2), hex("01 15"));
    assert.deepEqual(bcd2({ maxFrame: 9999 }).encode(Buffer.alloc(9999)).subarray(0, 2), hex("99 99"));
    assert.deepEqual(bcd2({ lengthIncludesHeader: true }).encode(Buffer.alloc(8)).subarray(0, 2), hex("00 10"));
  });

  it("reads the header back", () => {
    const raw = Buffer.concat([hex("00 12"), Buffer.alloc(12, 1)]);
    assert.deepEqual(deframeAll(bcd2(), [raw]), [{ kind: "frame", body: raw.subarray(2), raw, offset: 0 }]);
  });

  it("a nibble above 9 is a fatal bad_header error", () => {
    for (const header of ["1A 05", "A0 00", "00 0F", "F0 00"]) {
      assert.deepEqual(deframeAll(bcd2(), [hex(`${header} 00`)]), [
        {
          kind: "error",
          code: "bad_header",
          reason: `length header ${header} is not bcd2: expected 4 BCD digits (each nibble 0-9)`,
          bytes: hex(header),
          offset: 0,
          fatal: true,
        },
      ]);
    }
  });

  it("holds at most 9999", () =>
    assert.throws(() => bcd2({ maxFrame: 10000 }), {
      message: "maxFrame 10000 is more than a bcd2 header can carry (9999)",
    }));
});
