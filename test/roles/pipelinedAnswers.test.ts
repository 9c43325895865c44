import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import type { Target } from "../../src/scenario/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { messageOf } from "../../src/trace/traceEvent.js";
import { hostSuite } from "../../suites/host/index.js";
import { scriptedHost } from "./support/scriptedHost.js";

// A request and an echo test written in one segment (the `pipelined` fault): a host may answer
// them in either order, and one answer may not decode. The kit pairs each answer with the request
// it names, and a frame that names nobody with the oldest request waiting.
describe("KitTerminal: answers to a pipelined pair", () => {
  const d = builtinDialect("cup");

  /** The reference host, except that two requests read together are answered the second first; `garble` spoils the answer to such a 0200. */
  const reversingHost = (garble: boolean): Target =>
    scriptedHost(d, "a host that answers pipelined requests last first", async (host, link, first) => {
      const queued = link.unread().filter((e) => e.kind === "frame");
      const rest = (await Promise.all(queued.map(() => link.receive({ deadlineMs: 0 })))).flatMap((e) => (e.kind === "frame" ? [e.body] : []));
      const bodies = [first, ...rest];
      const answers = bodies.map((body) => {
        const frame = host.handle(body).reply?.frame;
        return frame !== undefined && garble && bodies.length > 1 && unpack(d, body).mti === "0200" ? Buffer.from("not a message") : frame;
      });
      for (const frame of answers.reverse()) if (frame !== undefined) await link.send(frame);
    });

  const scenario: HostScenario = {
    role: "host",
    terminals: [REGISTERED_TERMINALS[0]],
    steps: [
      { op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false }, fault: { kind: "pipelined" } },
      { op: "purchase", terminal: 0, amount: 700, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } },
    ],
  };
  const ctx = (target: Target) => ({ dialect: d, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") });
  const sent = (trace: Awaited<ReturnType<typeof runScenario>>) => trace.flatMap((e) => (e.dir === "kit→sut" && e.kind === "frame" ? [messageOf(e)!.mti] : []));

  it("answered the echo first: the purchase is approved, nothing reversed, every property passes", async () => {
    const c = ctx(reversingHost(false));
    const trace = await runScenario(scenario, c);
    assert.deepEqual(sent(trace), ["0800", "0200", "0820", "0200", "0500"]);
    assert.deepEqual([...checkAll(hostSuite.properties, scenario, trace, c).keys()], []);
  });

  it("the purchase's answer does not decode: it is the purchase's, reversed as an invalid answer once, and the echo's answer is not left for the next request", async () => {
    const c = ctx(reversingHost(true));
    const trace = await runScenario(scenario, c);
    // The reversal (0400, reason other) goes before the next purchase, once, and its answer is its own.
    assert.deepEqual(sent(trace), ["0800", "0200", "0820", "0400", "0200", "0500"]);
    const reversal = trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0400")!;
    assert.equal(messageOf(reversal)!.fields["39"], "06");
    assert.deepEqual([...checkAll(hostSuite.properties, scenario, trace, c).keys()], ["H-FMT-1"]);
  });
});
