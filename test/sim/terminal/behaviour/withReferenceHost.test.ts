import assert from "node:assert/strict";
import { builtinDialect } from "../../../../src/iso8583/builtinDialects.js";
import { VirtualClock } from "../../../../src/link/virtualClock.js";
import { inProcessHost, ReferenceHost } from "../../../../src/sim/host/index.js";
import { openingBalance } from "../../../../src/sim/host/declineRules.js";
import { ReferenceTerminal } from "../../../../src/sim/terminal/referenceTerminal.js";
import { DEFAULT_CARD } from "../../../../src/sim/terminal/terminalOptions.js";

// The two reference simulators agree: keys, MACs, matching and totals, in every dialect.
describe("reference terminal against the reference host (in-process)", () => {
  for (const name of ["cup", "iso87ascii", "iso87binary"]) {
    it(`${name}: sign-on, sales, a decline, void, refund and balance settle balanced`, async () => {
      const clock = new VirtualClock();
      clock.start();
      const host = inProcessHost(new ReferenceHost(builtinDialect(name), { clock }));
      const terminal = await ReferenceTerminal.open({ dialect: builtinDialect(name), connect: host.connect, clock });
      try {
        const run = (c: Parameters<ReferenceTerminal["execute"]>[0]) => terminal.execute(c);
        assert.equal((await run({ cmd: "signon" })).result, "approved");
        const first = await run({ cmd: "sale", amount: 1000 });
        assert.equal(first.result, "approved");
        const second = await run({ cmd: "sale", amount: 2000 });
        assert.equal(second.result, "approved");
        // The reference host declines amounts ending in 51 (insufficient funds).
        const declined = await run({ cmd: "sale", amount: 1251 });
        assert.deepEqual([declined.result, declined.code, declined.reversals], ["declined", "51", undefined]);
        assert.equal((await run({ cmd: "void", stan: first.stan! })).result, "approved");
        assert.equal((await run({ cmd: "refund", amount: 300, stan: second.stan })).result, "approved");
        const balance = await run({ cmd: "balance" });
        assert.equal(balance.balance, openingBalance(DEFAULT_CARD.pan) - 2000 + 300);
        const settled = await run({ cmd: "settle" });
        assert.equal(settled.result, "approved", settled.message);
        assert.equal(settled.balanced, true);
        assert.equal((await run({ cmd: "status" })).pendingReversal, null);
      } finally {
        await terminal.close();
        await host.close();
        clock.stop();
      }
    });
  }
});
