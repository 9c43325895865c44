import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { loadDialect } from "../../src/iso8583/dialect.js";
import cupTable from "../../src/iso8583/dialects/cup.json" with { type: "json" };
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

  it("refuses a message with a field after the MAC field, packing or checking", () => {
    // cup with a field 70 (network management code) defined: it would follow the MAC at 64.
    const f11 = cupTable.fields.find((f) => f.number === 11)!;
    const wider = loadDialect({ ...cupTable, dialect: "cup-with-70", bitmap: { ...cupTable.bitmap, secondary_bitmap: true }, fields: [...cupTable.fields, { ...f11, number: 70, description: "Network management information code" }] });
    const message = { mti: v.mti, header: v.header, fields: { ...v.fields, "70": "000301" } };
    assert.throws(() => packWithMac(wider, message, tak), /field 70 follows the MAC field 64/);
    assert.throws(() => checkMac(wider, Buffer.from(v.hex, "hex"), message, tak), /field 70 follows the MAC field 64/);
    assert.equal(checkMac(wider, Buffer.from(v.hex, "hex"), { mti: v.mti, fields: v.fields }, tak), "ok");
  });

  it("refuses a dialect without a MAC", () => {
    assert.throws(() => packWithMac(builtinDialect("iso87ascii"), { mti: "0200", fields: {} }, tak), /has no MAC/);
  });
});
