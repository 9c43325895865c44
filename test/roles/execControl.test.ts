import assert from "node:assert/strict";
import { ExecControl } from "../../src/roles/execControl.js";

const card = { pan: "6225880012345678", expiry: "2812", track2: "6225880012345678=28121010000" };
const run = (templates: ConstructorParameters<typeof ExecControl>[0], command: Parameters<ExecControl["perform"]>[0], deadlineMs = 5000) =>
  new ExecControl(templates).perform(command, { deadlineMs });

// The exec adapter: a command line per operation, the result from its exit code and output.
describe("ExecControl", function () {
  this.timeout(20_000);

  it("fills the placeholders; those that do not apply are empty", async () => {
    const r = await run({ purchase: "echo sale {amount} {pan} {expiry} {track2} [{stan}]" }, { op: "purchase", amount: 500, card });
    assert.equal(r.outcome, "approved");
    assert.equal(r.message, "sale 500 622588******5678 2812 622588******5678=28121010000 []", "card numbers in the output are masked");
    const v = await run({ void: "echo void {stan} {amount} [{pan}]" }, { op: "void", stan: "000012", amount: 700 });
    assert.equal(v.message, "void 000012 700 []");
  });

  it("reads the outcome from the exit code: 0 approved, 1 declined, 2 failed, other unknown", async () => {
    const outcomes = [];
    for (const code of [0, 1, 2, 7]) outcomes.push((await run({ settlement: `exit ${code}` }, { op: "settlement" })).outcome);
    assert.deepEqual(outcomes, ["approved", "declined", "failed", "unknown"]);
  });

  it("reads code and STAN from a last output line that is an isoconf-ecr/1 result", async () => {
    const line = JSON.stringify({ v: "isoconf-ecr/1", id: "1", cmd: "sale", result: "declined", message: "declined: 51", code: "51", stan: "000009" });
    const r = await run({ purchase: `echo progress; echo '${line}'; exit 1` }, { op: "purchase", amount: 100 });
    assert.deepEqual(r, { outcome: "declined", message: "declined: 51", code: "51", stan: "000009" });
  });

  it("a command past its deadline is killed and its result unknown; an operation without a command line is not carried out", async () => {
    const started = performance.now();
    const slow = await run({ balance: "sleep 10" }, { op: "balance" }, 300);
    assert.equal(slow.outcome, "unknown");
    assert.match(slow.message!, /did not finish within 300 ms/);
    assert.ok(performance.now() - started < 5000);
    assert.deepEqual(await run({ purchase: "true" }, { op: "refund", amount: 1 }), { outcome: "unknown", message: "no command line for refund: not carried out" });
  });

  it("restarts with --exec-restart, and refuses unknown placeholders up front", async () => {
    assert.equal(new ExecControl({ purchase: "true" }).canRestart, false);
    const c = new ExecControl({ purchase: "true", restart: "exit 3" });
    assert.equal(c.canRestart, true);
    await assert.rejects(c.restart({ deadlineMs: 5000 }), /the restart command exited 3/);
    assert.throws(() => new ExecControl({ purchase: "tool {amonut}" }), /the purchase command line uses \{amonut\}: the placeholders are \{amount\}, \{stan\}, \{pan\}, \{expiry\}, \{track2\}/);
  });
});
