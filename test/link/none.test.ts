import assert from "node:assert/strict";
import { none } from "../../src/link/none.js";
import { deframeAll } from "./support/deframeAll.js";

describe("none", () => {
  it("encode returns the body unchanged", () => {
    const body = Buffer.from("0800");
    assert.equal(none().encode(body), body);
  });

  it("each chunk read is one frame, whatever it holds", () => {
    assert.deepEqual(deframeAll(none(), [Buffer.from("ab"), Buffer.alloc(0), Buffer.from("cde")], { end: true }), [
      { kind: "frame", body: Buffer.from("ab"), raw: Buffer.from("ab"), offset: 0 },
      { kind: "frame", body: Buffer.from("cde"), raw: Buffer.from("cde"), offset: 2 },
    ]);
  });

  it("a read above maxFrame is an error that does not break the stream", () => {
    assert.deepEqual(deframeAll(none({ maxFrame: 2 }), [Buffer.from("abc"), Buffer.from("ok")]), [
      {
        kind: "error",
        code: "above_max_frame",
        reason: "read of 3 bytes; expected at most 2 (maxFrame)",
        bytes: Buffer.from("abc"),
        offset: 0,
        fatal: false,
      },
      { kind: "frame", body: Buffer.from("ok"), raw: Buffer.from("ok"), offset: 3 },
    ]);
  });

  it("encode refuses a body above maxFrame", () =>
    assert.throws(() => none({ maxFrame: 2 }).encode(Buffer.from("abc")), {
      code: "invalid_frame",
      message: "none body is 3 bytes; expected at most 2 (maxFrame)",
    }));
});
