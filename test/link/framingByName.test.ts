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

  it("a dialect's framing object: a header counting hex characters (2 × bytes), or itself too", () => {
    const hex = framingByName({ name: "ascii4", length_counts: "hex_chars" });
    assert.deepEqual(hex.encode(Buffer.from("abc")), Buffer.from("0006abc"));
    const d = hex.deframer();
    d.push(Buffer.from("0006abc0004xy"));
    assert.deepEqual([d.next(), d.next()].map((e) => e?.kind === "frame" && e.body.toString()), ["abc", "xy"]);
    const odd = hex.deframer();
    odd.push(Buffer.from("0005abc"));
    const e = odd.next();
    assert.ok(e?.kind === "error" && e.code === "bad_header" && e.fatal, JSON.stringify(e));
    assert.match(e.reason, /counts 5 hex characters: not a whole number of bytes/);
    const both = framingByName({ name: "binary2", length_counts: "hex_chars", includes_header: true });
    assert.deepEqual(both.encode(Buffer.from("ab")), Buffer.from([0x00, 0x08, 0x61, 0x62]), "(2 header + 2 body) × 2");
    const back = both.deframer();
    back.push(Buffer.from([0x00, 0x08, 0x61, 0x62]));
    const f = back.next();
    assert.ok(f?.kind === "frame" && f.body.toString() === "ab");
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
      message: "lengthIncludesHeader and lengthCounts apply to length-header framings only, not stx-etx",
    });
    assert.throws(() => framingByName({ name: "none", length_counts: "hex_chars" }), /apply to length-header framings only, not none/);
    assert.equal(framingByName("none", { lengthIncludesHeader: false }).name, "none");
  });
});
