import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { checkMac, packWithMac } from "../../src/iso8583/macMessage.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { validVectors } from "../helpers/sharedVectors.js";

describe("MAC on whole messages", () => {
  const cup = builtinDialect("cup");
  const tak = Buffer.from("0723C80DB5F4CD3D0723C80DB5F4CD3D", "hex");
  const v = validVectors("cup").find((x) => x.id === "cup-real-0200-cnblogs")!;

  it("packs the cnblogs frame with its published MAC B3A092AE", () => {
    const { "64": _, ...unsigned } = v.fields;
    const frame = packWithMac(cup, { mti: v.mti, header: v.header, fields: unsigned }, tak);
    assert.equal(frame.toString("hex").toUpperCase(), v.hex);
  });

  it("verifies the real frame, and catches a changed amount or a missing MAC", () => {
    const frame = Buffer.from(v.hex, "hex");
    assert.equal(checkMac(cup, frame, unpack(cup, frame), tak), "ok");
    const tampered = packWithMac(cup, { mti: v.mti, header: v.header, fields: v.fields }, tak);
    tampered[11 + 2 + 8 + 3 + 5] ^= 0x01; // a digit of the amount, MAC left as it was
    assert.equal(checkMac(cup, tampered, unpack(cup, tampered), tak), "bad");
    const { "64": _, ...unsigned } = v.fields;
    assert.equal(checkMac(cup, frame, { mti: v.mti, fields: unsigned }, tak), "missing");
  });

  it("refuses a dialect without a MAC", () => {
    assert.throws(() => packWithMac(builtinDialect("iso87ascii"), { mti: "0200", fields: {} }, tak), /has no MAC/);
  });
});
