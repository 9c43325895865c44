import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { ManualControl } from "../../src/roles/manualControl.js";

function operator() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (b: Buffer) => (shown += b.toString()));
  return { input, output, shown: () => shown, control: new ManualControl({ input, output }) };
}

// The manual adapter: a prompt per step on stderr, the operator's line on stdin, with a deadline.
describe("ManualControl", () => {
  it("prompts with the card masked and reads what the terminal showed, code included", async () => {
    const o = operator();
    const result = o.control.perform({ op: "purchase", amount: 1250, card: { pan: "6225880012345678", expiry: "2812", track2: "6225880012345678=28121010000" } }, { deadlineMs: 5000 });
    o.input.write("d 51\n");
    assert.deepEqual(await result, { outcome: "declined", code: "51", message: "the operator: d 51" });
    assert.match(o.shown(), /on the terminal, do: purchase 12\.50 with card 622588\*\*\*\*\*\*5678 swiped/);
    assert.doesNotMatch(o.shown(), /6225880012345678/);
    await o.control.close();
  });

  it("a, f and Enter alone; no answer by the deadline is unknown; a restart waits for Enter", async () => {
    const o = operator();
    const answers = [];
    for (const line of ["a", "failed", ""]) {
      const r = o.control.perform({ op: "settlement" }, { deadlineMs: 5000 });
      o.input.write(`${line}\n`);
      answers.push((await r).outcome);
    }
    assert.deepEqual(answers, ["approved", "failed", "unknown"]);
    const silent = await o.control.perform({ op: "signon" }, { deadlineMs: 50 });
    assert.deepEqual(silent, { outcome: "unknown", message: "no answer from the operator within 50 ms" });
    const restarted = o.control.restart({ deadlineMs: 5000 });
    o.input.write("\n");
    await restarted;
    assert.match(o.shown(), /restart the terminal \(power it off and on\), then press Enter/);
    await assert.rejects(o.control.restart({ deadlineMs: 50 }), /did not confirm the restart within 50 ms/);
    await o.control.close();
  });
});
