import { bytesOf, messageOf } from "../../src/trace/traceEvent.js";
import assert from "node:assert/strict";
import { maskCardNumbers, maskSuiteResult } from "../../reports/maskResult.js";
import { cardPan } from "../../src/scenario/scenario.js";
import { cup, PAN, scenario, suiteResult, TRACK2 } from "./support/fixture.js";
import { counterexampleOf } from "../../src/runner/suiteResult.js";

describe("reports/maskResult", () => {
  describe("maskCardNumbers", () => {
    const cases: Array<[string, string, string[], string]> = [
      ["a known PAN, Luhn-valid or not", `card ${PAN}.`, [PAN], "card 622588******5678."],
      ["a known PAN's track: the rest after the separator hidden", `t=${TRACK2} ok`, [PAN], "t=622588******5678D******* ok"],
      ["an unknown Luhn-valid number", "pan 4111111111111111 here", [], "pan 411111******1111 here"],
      ["an unknown number that fails Luhn stays (merchant IDs, totals)", "MID 123456789012345", [], "MID 123456789012345"],
      ["digits inside a longer run stay (field 48 totals)", `00${PAN}00`, [PAN], `00${PAN}00`],
      ["amounts and STANs stay", "000000000500 000002", [], "000000000500 000002"],
    ];
    for (const [name, text, known, expected] of cases) it(name, () => assert.equal(maskCardNumbers(text, known), expected));
  });

  it("masks messages, bytes and free text of every counterexample, and leaves the input as it was", () => {
    const before = JSON.stringify(suiteResult);
    const masked = maskSuiteResult(suiteResult, cup);
    assert.equal(JSON.stringify(suiteResult), before, "the input is not changed");
    const text = JSON.stringify(masked);
    for (const secret of [PAN, TRACK2, cardPan(scenario.steps[0].card!)]) assert.ok(!text.includes(secret), `${secret} in clear`);
    const frame = counterexampleOf(masked.properties[1])!.trace[3];
    assert.equal(messageOf(frame)?.fields["2"], "622588******5678");
    assert.match(bytesOf(frame) ?? "", /16\*{16}/, "the BCD PAN in the hex is starred");
  });
});
