import assert from "node:assert/strict";
import { framingByName, framingNames } from "../../src/link/framingByName.js";

describe("framingByName", () => {
  it("knows every framing by its own name", () => {
    assert.deepEqual(framingNames, ["binary2", "bcd2", "ascii4", "binary4", "none", "stx-etx"]);
    for (const name of framingNames) assert.equal(framingByName(name).name, name);
  });

  it("passes the options on", () => {
    assert.equal(framingByName("bcd2", { maxFrame: 100 }).maxFrame, 100);
    assert.deepEqual(framingByName("ascii4", { lengthIncludesHeader: true }).encode(Buffer.from("x")), Buffer.from("0005x"));
  });

  it("an unknown name lists the known ones", () => {
    assert.throws(() => framingByName("bin2"), {
      name: "LinkError",
      code: "invalid_config",
      message: 'unknown framing "bin2": expected one of binary2, bcd2, ascii4, binary4, none, stx-etx',
    });
    assert.throws(() => framingByName("toString"), { code: "invalid_config" });
  });

  it("refuses lengthIncludesHeader where there is no length header", () => {
    assert.throws(() => framingByName("stx-etx", { lengthIncludesHeader: true }), {
      message: "lengthIncludesHeader applies to length-header framings only, not stx-etx",
    });
    assert.equal(framingByName("none", { lengthIncludesHeader: false }).name, "none");
  });
});
