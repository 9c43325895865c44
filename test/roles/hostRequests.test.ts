import assert from "node:assert/strict";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { isRequestMti } from "../../src/protocol/index.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import type { Target } from "../../src/scenario/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { messageOf } from "../../src/trace/traceEvent.js";
import { hostSuite } from "../../suites/host/index.js";
import { profiledDialect } from "../helpers/profiledDialect.js";
import { scriptedHost } from "./support/scriptedHost.js";

// A host that starts network requests of its own between the kit's: the kit answers those its
// profile lists (an echo test, a key exchange by MTI and network code) and leaves the rest, and
// no property takes the host's requests or the kit's answers for the kit's own exchanges.
describe("KitTerminal: network requests the host starts", () => {
  const d = profiledDialect("iso87ascii", "lab-keys", { answers: ["echo", { name: "key exchange", mti: "0800", network_code: "161" }] });

  /** The reference host behind a link that, before each answer, sends an echo test, a key exchange and a sign-on of its own. */
  const chattyHost = (): Target => {
    let stan = 900_000;
    return scriptedHost(d, "a host that talks first", async (host, link, body) => {
      if (!isRequestMti(unpack(d, body).mti)) return;
      for (const code of ["301", "161", "001"]) await link.send(pack(d, { mti: "0800", fields: { "7": "1203101010", "11": String(++stan), "70": code } }));
      const reply = host.handle(body).reply;
      if (reply) await link.send(reply.frame);
    });
  };

  it("answers the echo test and the key exchange, not the sign-on its profile leaves out; every property passes", async () => {
    const scenario: HostScenario = { role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } }] };
    const ctx = { dialect: d, target: chattyHost(), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
    const trace = await runScenario(scenario, ctx);
    const answered = trace.flatMap((e) => (e.kind === "note" && e.detail?.answersHost !== undefined ? [e.detail.answersHost] : []));
    // Before each of the kit's requests (sign-on, purchase, settlement): an echo and a key exchange answered.
    assert.deepEqual(answered, ["echo", "key exchange", "echo", "key exchange", "echo", "key exchange"]);
    const kitAnswers = trace.flatMap((e) => (e.dir === "kit→sut" && messageOf(e)?.mti === "0810" ? [messageOf(e)!.fields["70"]] : []));
    assert.deepEqual(kitAnswers, ["301", "161", "301", "161", "301", "161"]);
    assert.deepEqual([...checkAll(hostSuite.properties, scenario, trace, ctx).keys()], []);
  });
});
