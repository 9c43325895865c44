import assert from "node:assert/strict";
import { decodeWorkingKeys, encodeWorkingKeys } from "../../src/protocol/index.js";

const tmk = Buffer.from("0123456789ABCDEFFEDCBA9876543210", "hex");

describe("sign-on working keys (field 62)", () => {
  for (const bytes of [8, 16]) {
    it(`round-trips ${bytes}-byte keys through the ${bytes === 8 ? 24 : 60}-byte layout`, () => {
      const keys = { pik: Buffer.alloc(bytes, 0x13), mak: Buffer.alloc(bytes, 0x57) };
      const field62 = encodeWorkingKeys(tmk, keys);
      assert.equal(field62.length, bytes === 8 ? 48 : 120);
      assert.deepEqual(decodeWorkingKeys(tmk, field62), keys);
    });
  }

  it("refuses a field of another length, a wrong TMK and a corrupted check value", () => {
    const field62 = encodeWorkingKeys(tmk, { pik: Buffer.alloc(8, 0x13), mak: Buffer.alloc(8, 0x57) });
    assert.throws(() => decodeWorkingKeys(tmk, field62.slice(2)), { message: "sign-on field 62 is 23 bytes: expected 24 (single DES keys) or 60 (double length)" });
    assert.throws(() => decodeWorkingKeys(Buffer.alloc(16, 1), field62), { message: "sign-on PIN key check value does not match: wrong TMK or a corrupted key" });
    const corrupted = field62.slice(0, -1) + (field62.endsWith("0") ? "1" : "0");
    assert.throws(() => decodeWorkingKeys(tmk, corrupted), { message: "sign-on MAC key check value does not match: wrong TMK or a corrupted key" });
  });

  it("refuses keys of mixed or unsupported lengths", () => {
    assert.throws(() => encodeWorkingKeys(tmk, { pik: Buffer.alloc(8), mak: Buffer.alloc(16) }), { message: "working keys must both be 8 or both be 16 bytes" });
  });
});
