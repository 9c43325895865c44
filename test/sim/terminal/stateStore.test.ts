import assert from "node:assert/strict";
import { memoryStateStore } from "../../../src/sim/terminal/stateStore.js";
import { initialState, type TerminalState } from "../../../src/sim/terminal/terminalState.js";

describe("memoryStateStore", () => {
  const card = { pan: "6222021234567890123", expiry: "3012" };
  const ref = { mti: "0200", stan: "000001", batch: "000001", date: "1126", transmission: "1126013000" };
  const state = (): TerminalState => ({
    ...initialState(),
    stan: 2,
    pending: { original: { mti: "0200", fields: { "4": "000000000500", "11": "000002" } }, cause: "no_answer", attempts: 0 },
    transactions: [{ op: "purchase", stan: "000001", amount: 500, card, ref, voided: false }],
  });

  // Everything the terminal changes in place after a save: none of it may reach the saved state.
  function changeInPlace(s: TerminalState): void {
    s.stan++;
    s.signedOn = true;
    s.pending!.attempts++;
    s.pending!.cause = "bad_mac";
    s.pending!.reversal = { mti: "0400", fields: {} };
    s.transactions[0].voided = true;
    s.transactions.push({ ...s.transactions[0] });
  }

  it("loads nothing before the first save, then what was saved, whatever the terminal changed since", async () => {
    const store = memoryStateStore();
    assert.equal(await store.load(), undefined);
    const live = state();
    await store.save(live);
    changeInPlace(live);
    assert.deepEqual(await store.load(), state());
  });

  it("gives each load its own copy: a restarted terminal's changes reach the store only by a save", async () => {
    const store = memoryStateStore();
    await store.save(state());
    changeInPlace((await store.load())!);
    assert.deepEqual(await store.load(), state());
  });
});
