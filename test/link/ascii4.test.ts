import assert from "node:assert/strict";
import { ascii4 } from "../../src/link/ascii4.js";
import { deframeAll } from "./support/deframeAll.js";

describe("ascii4", () => {
  it("writes the length as 4 ASCII digits", () => {
    assert.deepEqual(ascii4().encode(Buffer.from("ab")), Buffer.from("0002ab"));
    assert.deepEqual(ascii4().encode(Buffer.alloc(115)).subarray(0, 4), Buffer.from("0115"));
    assert.deepEqual(ascii4({ lengthIncludesHeader: true }).encode(Buffer.from("ab")), Buffer.from("0006ab"));
  });

  it("0000 is a jPOS keep-alive, not a frame", () => {
    assert.deepEqual(deframeAll(ascii4(), [Buffer.from("00000002ok")]), [
      { kind: "keepalive", raw: Buffer.from("0000"), offset: 0 },
      { kind: "frame", body: Buffer.from("ok"), raw: Buffer.from("0002ok"), offset: 4 },
    ]);
  });

  it("a non-digit is a fatal bad_header error", () => {
    const cases: Array<[header: string, shown: string]> = [
      ["00A5", "30 30 41 35"],
      [" 115", "20 31 31 35"],
      ["-001", "2D 30 30 31"],
      ["12.4", "31 32 2E 34"],
    ];
    for (const [header, shown] of cases) {
      assert.deepEqual(deframeAll(ascii4(), [Buffer.from(`${header}xyz`)]), [
        {
          kind: "error",
          code: "bad_header",
          reason: `length header ${shown} is not ascii4: expected 4 ASCII decimal digits`,
          bytes: Buffer.from(header),
          offset: 0,
          fatal: true,
        },
      ]);
    }
  });
});
