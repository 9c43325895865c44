import assert from "node:assert/strict";
import { DEFAULT_TMK, MERCHANT_ID } from "../../../src/sim/defaults.js";
import { terminalRegistry } from "../../../src/sim/host/terminalRegistry.js";

describe("terminal registry file", () => {
  it("fills in the default merchant and master key", () => {
    assert.deepEqual(terminalRegistry([{ tid: "TERM0005" }, { tid: "TERM0006", mid: "000000000000001", tmk: "0123456789ABCDEF" }], "t.json"), [
      { tid: "TERM0005", mid: MERCHANT_ID, tmk: DEFAULT_TMK },
      { tid: "TERM0006", mid: "000000000000001", tmk: "0123456789ABCDEF" },
    ]);
  });

  it("names the file, the entry and the key of a bad value", () => {
    const bad: [unknown, RegExp][] = [
      [[{ tid: "T\u0001" }], /^Error: t\.json: \[0\]\.tid: printable characters \(field 41\)$/],
      [[{ tid: "TERM0005", tmk: "XYZ" }], /^Error: t\.json: \[0\]\.tmk: 16, 32 or 48 hexadecimal characters$/],
      [[{ tid: "TERM0005", pin: "1" }], /^Error: t\.json: \[0\]: /],
      [[], /^Error: t\.json: \(top level\): at least one terminal$/],
      [{}, /^Error: t\.json: \(top level\): /],
    ];
    for (const [json, message] of bad) assert.throws(() => terminalRegistry(json, "t.json"), message);
  });
});
