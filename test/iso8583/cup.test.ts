import assert from "node:assert/strict";
import { formatCupHeader, formatField60, parseCupHeader, parseField60, replyHeader } from "../../src/iso8583/cup.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { validVectors } from "../helpers/sharedVectors.js";

describe("CUP header and field 60", () => {
  // The MAC known-answer frame of docs/protocol-notes.md §2.5.
  const cnblogs = validVectors("cup").find((v) => v.id === "cup-real-0200-cnblogs")!;

  it("splits the header of a real frame", () => {
    const m = unpack(builtinDialect("cup"), Buffer.from(cnblogs.hex, "hex"));
    const h = parseCupHeader(m.header!);
    assert.deepEqual(h, {
      tpdu: { id: "60", destination: "0003", source: "0000" },
      applicationClass: "60",
      softwareVersion: "32",
      terminalStatus: "1",
      processingRequirement: "0",
      softwareSubVersion: "320072",
    });
    assert.equal(formatCupHeader(h), m.header);
  });

  it("swaps the TPDU's destination and source in a reply", () => {
    assert.equal(replyHeader("6000030000603210320072"), "6000000003603210320072");
    assert.equal(replyHeader(replyHeader("6012345678603100000000")), "6012345678603100000000");
  });

  it("rejects a header that is not 11 bytes", () => {
    assert.throws(() => parseCupHeader("6000"), /22 hexadecimal characters/);
  });

  it("splits and joins field 60", () => {
    const f = parseField60(cnblogs.fields["60"]);
    assert.deepEqual(f, { typeCode: "26", batch: "000001", networkCode: "000", rest: "60000000" });
    assert.equal(formatField60(f), cnblogs.fields["60"]);
    assert.deepEqual(parseField60("00000001001"), { typeCode: "00", batch: "000001", networkCode: "001", rest: "" });
    assert.throws(() => formatField60({ typeCode: "2", batch: "000001", networkCode: "000", rest: "" }), /60.1 two/);
  });
});
