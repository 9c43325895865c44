import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { framingByName } from "../../src/link/framingByName.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { tcpHostTarget } from "../../src/roles/tcpTargets.js";
import { runScenario } from "../../src/runner/runScenario.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import type { Target } from "../../src/scenario/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { startHostServer } from "../../src/sim/host/startHostServer.js";
import { messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";

const cup = builtinDialect("cup");
const card = { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false };
const scenario: HostScenario = { role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card, fault: { kind: "malformed", variant: "garbage" } }] };
const run = (target: Target) => runScenario(scenario, { dialect: cup, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") });

/** How long the kit waited after the malformed frame before it sent the step's request. */
function waited(trace: TraceEvent[]): number {
  const fault = trace.find((e) => e.kind === "fault")!;
  assert.ok(!trace.some((e) => e.seq > fault.seq && e.dir === "sut→kit" && messageOf(e)?.mti === "0210" && e.t < fault.t + 1), "nobody answers the garbage");
  return trace.find((e) => e.seq > fault.seq && e.dir === "kit→sut" && messageOf(e)?.mti === "0200")!.t - fault.t;
}

describe("KitTerminal: the wait after a malformed frame follows the host's own pace", function () {
  this.timeout(20_000);

  it("a host that answers at once: the 250 ms floor, not a fixed 2 s", async () => {
    const w = waited(await run(referenceHostTarget(cup)));
    assert.ok(w >= 249 && w <= 251, `waited ${w} ms`);
  });

  it("a host that takes 150 ms to answer: about four times that, still under the 2 s cap", async () => {
    const server = await startHostServer({ dialect: cup, responseDelayMs: 150 });
    try {
      const w = waited(await run(tcpHostTarget(server.url, { framing: framingByName(cup.table.framing) })));
      assert.ok(w >= 4 * 150 - 5 && w <= 2_050, `waited ${w} ms`);
    } finally {
      await server.close();
    }
  });
});
