import assert from "node:assert/strict";
import { encodeTlv } from "../../src/iso8583/tlv.js";
import { maskEmv, maskMessage, maskPan, maskTrack } from "../../src/trace/mask.js";

describe("card data masking", () => {
  it("keeps the first 6 and last 4 digits of a PAN", () => {
    assert.equal(maskPan("6225880012345678"), "622588******5678");
    assert.equal(maskPan("4761739001010010123"), "476173*********0123");
    assert.equal(maskPan("123456789012"), "************");
  });

  it("masks the PAN inside track data and hides the rest", () => {
    assert.equal(maskTrack("6225880012345678D2512101"), "622588******5678D*******");
    assert.equal(maskTrack("4761739001010010=25121010000"), "476173******0010=***********");
    assert.equal(maskTrack("B4761739001010010^DOE/JANE^2512"), "B476173******0010^*************");
    assert.equal(maskTrack("12345"), "*****");
  });

  it("hides PAN and track tags in field 55 and keeps the rest readable", () => {
    const emv = encodeTlv([
      { tag: "9F26", value: "1122334455667788" },
      { tag: "5A", value: "6225880012345678" },
      { tag: "57", value: "6225880012345678D251210F" },
    ]).toString("hex").toUpperCase();
    const masked = maskEmv(emv);
    assert.ok(masked.startsWith("9F26081122334455667788"));
    assert.ok(!masked.includes("6225880012345678"));
    assert.equal(masked.length, emv.length);
    assert.equal(maskEmv("9F2601"), "******", "invalid TLV is hidden whole");
  });

  it("masking masked data changes nothing (a masked trace read back and masked again)", () => {
    const emv = encodeTlv([{ tag: "9F26", value: "1122334455667788" }, { tag: "5A", value: "6225880012345678" }]).toString("hex").toUpperCase();
    const m = { mti: "0810", fields: { "2": "6225880012345678", "35": "6225880012345678D2512101", "52": "A1B2C3D4E5F60718", "55": emv, "62": "0011223344556677" } };
    const once = maskMessage(m);
    assert.deepEqual(maskMessage(once), once);
    assert.equal(maskEmv("9F2608AABB**CCDDEEFF00"), "**********************", "stars where masking puts none: hidden whole");
    assert.equal(maskTrack(maskTrack("B4761739001010010^DOE/JANE^2512")), maskTrack("B4761739001010010^DOE/JANE^2512"));
  });

  it("masks a message without touching the original, MAC visible", () => {
    const m = { mti: "0810", fields: { "2": "6225880012345678", "52": "A1B2C3D4E5F60718", "62": "0011223344556677", "64": "4233413039324145" } };
    const masked = maskMessage(m);
    assert.deepEqual(masked.fields, { "2": "622588******5678", "52": "****************", "62": "****************", "64": "4233413039324145" });
    assert.equal(m.fields["2"], "6225880012345678");
    assert.equal(maskMessage({ mti: "0200", fields: { "62": "ABCD" } }).fields["62"], "ABCD", "62 is key material only in sign-on replies");
  });
});
