import assert from "node:assert/strict";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { buildRequest, cupField60, encodeWorkingKeys } from "../../src/protocol/index.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import { DEFAULT_TMK, MERCHANT_ID, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { hostSuite } from "../../suites/host/index.js";
import { profiledDialect } from "../helpers/profiledDialect.js";
import { scriptedHost } from "./support/scriptedHost.js";

// A host that changes a terminal's working keys with a key exchange of its own (an 0800 the
// dialect has no operation for): the kit, as the terminal, takes the new keys where the profile
// names the field that carries them, and judges each answer under the key its request went out with.
describe("KitTerminal: a key exchange the host starts", () => {
  const d = profiledDialect("cup", "cup-key-exchange", { answers: [{ name: "key exchange", mti: "0800", network_code: "101", working_keys: "62" }] });
  const tmk = Buffer.from(DEFAULT_TMK, "hex");
  const tid = REGISTERED_TERMINALS[0];
  const newKeys = { mak: Buffer.from("1C7F0E2A3D4B5A69", "hex"), pik: Buffer.from("2A3B4C5D6E7F8091", "hex") };

  /** The key exchange, carrying `keys` in field 62 (or `field62` as given). */
  const keyExchange = (field62: string): Buffer => {
    const m = buildRequest(d, { op: "signon", tid, mid: MERCHANT_ID, stan: "900001", batch: "000001", now: new Date(0) });
    return pack(d, { ...m, fields: { ...m.fields, "60": cupField60("00", "000001", "101"), "62": field62 } });
  };

  /**
   * The reference host, which after answering the terminal's sign-on sends a key exchange down
   * the link at once and takes the new MAC key itself once the kit approves it: the kit's first
   * purchase crosses it, MACed under the sign-on's key, and is answered under that key.
   */
  const rotatingHost = (field62: string, answers: string[]) =>
    scriptedHost(d, "a host that changes the keys after the sign-on", async (host, link, body) => {
      const m = unpack(d, body);
      if (m.mti === "0810") {
        answers.push(m.fields["39"] ?? "");
        if (m.fields["39"] === "00") host.workingKeysOf(tid)!.mak.set(newKeys.mak);
        return;
      }
      const reply = host.handle(body).reply?.frame;
      if (reply !== undefined) await link.send(reply);
      if (m.mti === "0800") await link.send(keyExchange(field62));
    });

  const card = { bin: "622588", account: 7, length: 16, expiry: "2812", swiped: false };
  const scenario: HostScenario = {
    role: "host",
    terminals: [tid],
    steps: [
      { op: "purchase", terminal: 0, amount: 500, card },
      { op: "purchase", terminal: 0, amount: 700, card },
      { op: "purchase", terminal: 0, amount: 900, card },
    ],
  };
  const ctx = (target: ReturnType<typeof rotatingHost>) => ({ dialect: d, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk });
  const codesOf = (trace: readonly TraceEvent[], mti: string) => trace.flatMap((e) => (e.dir === "sut→kit" && messageOf(e)?.mti === mti ? [messageOf(e)!.fields["39"]] : []));
  const notes = (trace: readonly TraceEvent[]) => trace.flatMap((e) => (e.kind === "note" && e.text !== undefined ? [e.text] : []));

  it("takes the new keys: the crossing purchase verifies under the old key, the next ones under the new, every property passes", async () => {
    const answers: string[] = [];
    const c = ctx(rotatingHost(encodeWorkingKeys(tmk, newKeys), answers));
    const trace = await runScenario(scenario, c);
    assert.deepEqual(answers, ["00"]);
    assert.ok(notes(trace).includes(`${tid} takes the working keys of the host's key exchange (field 62)`));
    // Approved throughout, no reversal: the host checked every MAC under the key it held.
    assert.deepEqual(codesOf(trace, "0210"), ["00", "00", "00"]);
    assert.equal(trace.filter((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0400").length, 0);
    assert.deepEqual([...checkAll(hostSuite.properties, scenario, trace, c).keys()], []);
  });

  it("refuses keys that do not check (format error) and keeps its own, which the host then keeps too", async () => {
    const answers: string[] = [];
    const good = encodeWorkingKeys(tmk, newKeys);
    const badCheck = good.slice(0, 16) + (good[16] === "0" ? "1" : "0") + good.slice(17); // the PIN key's check value spoiled
    const trace = await runScenario(scenario, ctx(rotatingHost(badCheck, answers)));
    assert.deepEqual(answers, ["30"]);
    assert.ok(notes(trace).some((t) => t.startsWith(`the host's key exchange is refused, ${tid} keeps its working keys: field 62: PIN key check value does not match`)));
    assert.deepEqual(codesOf(trace, "0210"), ["00", "00", "00"]);
  });

  it("keeps the keys it took into the next scenario, where a host without sign-ons keeps them too", async () => {
    const noSignOn = profiledDialect("cup", "cup-key-exchange-no-signon", { sign_on: "none", answers: [{ name: "key exchange", mti: "0800", network_code: "101", working_keys: "62" }] });
    let exchanged = false;
    const target = scriptedHost(
      noSignOn,
      "a host without sign-ons that changes the keys once",
      async (host, link, body) => {
        const m = unpack(noSignOn, body);
        if (m.mti === "0810") {
          if (m.fields["39"] === "00") host.workingKeysOf(tid)!.mak.set(newKeys.mak);
          return;
        }
        const reply = host.handle(body).reply?.frame;
        if (reply !== undefined) await link.send(reply);
        if (!exchanged && m.mti === "0200") {
          exchanged = true;
          await link.send(keyExchange(encodeWorkingKeys(tmk, newKeys)));
        }
      },
      { kept: true },
    );
    const c = { dialect: noSignOn, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk, counters: new Map() };
    const first = await runScenario(scenario, c);
    const second = await runScenario(scenario, c);
    assert.deepEqual(codesOf(first, "0210"), ["00", "00", "00"]);
    assert.deepEqual(codesOf(second, "0210"), ["00", "00", "00"], "the second scenario's MACs are under the keys taken in the first");
  });

  it("a reversal sent again after the keys changed is MACed again under the new ones", async () => {
    const answers: string[] = [];
    let heldBack = false;
    const target = scriptedHost(d, "a host that changes the keys instead of answering the first reversal", async (host, link, body) => {
      const m = unpack(d, body);
      if (m.mti === "0810") {
        answers.push(m.fields["39"] ?? "");
        if (m.fields["39"] === "00") host.workingKeysOf(tid)!.mak.set(newKeys.mak);
        return;
      }
      if (m.mti === "0400" && !heldBack) {
        heldBack = true;
        await link.send(keyExchange(encodeWorkingKeys(tmk, newKeys)));
        return; // unanswered: the kit times out and sends the reversal again
      }
      const reply = host.handle(body).reply?.frame;
      if (reply !== undefined) await link.send(reply);
    });
    const dropped: HostScenario = { ...scenario, steps: [{ ...scenario.steps[0], fault: { kind: "drop" } }, scenario.steps[1]] };
    const trace = await runScenario(dropped, ctx(target));
    assert.deepEqual(answers, ["00"]);
    assert.deepEqual(codesOf(trace, "0410"), ["00"], "the second attempt verifies under the new MAC key");
    assert.deepEqual(codesOf(trace, "0210").slice(-1), ["00"]);
  });

  it("refuses a key exchange without its keys, or with the field cut short, naming the field", async () => {
    for (const [field62, why] of [
      [undefined, "it has no field 62"],
      [encodeWorkingKeys(tmk, newKeys).slice(2), "field 62 is 23 bytes: expected 24 (single DES keys) or 60 (double length)"],
    ] as const) {
      const answers: string[] = [];
      const target = scriptedHost(d, "a host that sends a key exchange it spoilt", async (host, link, body) => {
        const m = unpack(d, body);
        if (m.mti === "0810") return void answers.push(m.fields["39"] ?? "");
        const reply = host.handle(body).reply?.frame;
        if (reply !== undefined) await link.send(reply);
        if (m.mti !== "0800") return;
        const exchange = unpack(d, keyExchange(""));
        const { "62": _, ...without } = exchange.fields;
        await link.send(pack(d, { ...exchange, fields: field62 === undefined ? without : { ...without, "62": field62 } }));
      });
      const trace = await runScenario(scenario, ctx(target));
      assert.deepEqual(answers, ["30"]);
      assert.ok(notes(trace).includes(`the host's key exchange is refused, ${tid} keeps its working keys: ${why}`), notes(trace).join("\n"));
      assert.deepEqual(codesOf(trace, "0210"), ["00", "00", "00"]);
    }
  });

  it("refuses a key exchange for a terminal it does not play, taking no keys for the one waiting", async () => {
    const answers: string[] = [];
    const other = (field62: string) => {
      const m = unpack(d, keyExchange(field62));
      return pack(d, { ...m, fields: { ...m.fields, "41": "OTHER999" } });
    };
    const target = scriptedHost(d, "a host that sends another terminal's key exchange", async (host, link, body) => {
      const m = unpack(d, body);
      if (m.mti === "0810") {
        answers.push(m.fields["39"] ?? "");
        return;
      }
      const reply = host.handle(body).reply?.frame;
      if (reply !== undefined) await link.send(reply);
      if (m.mti === "0800") await link.send(other(encodeWorkingKeys(tmk, newKeys)));
    });
    const trace = await runScenario(scenario, ctx(target));
    assert.deepEqual(answers, ["30"]);
    assert.ok(notes(trace).includes("the host's key exchange is refused: it names terminal OTHER999, which the kit does not play here"));
    assert.deepEqual(codesOf(trace, "0210"), ["00", "00", "00"]);
  });

  it("without working_keys in the profile the key exchange is answered approved and the keys are not taken: the host's MAC checks fail after it", async () => {
    const plain = profiledDialect("cup", "cup-key-exchange-plain", { answers: [{ name: "key exchange", mti: "0800", network_code: "101" }] });
    const answers: string[] = [];
    const target = scriptedHost(plain, "a host that changes the keys after the sign-on", async (host, link, body) => {
      const m = unpack(plain, body);
      if (m.mti === "0810") {
        answers.push(m.fields["39"] ?? "");
        host.workingKeysOf(tid)!.mak.set(newKeys.mak);
        return;
      }
      const reply = host.handle(body).reply?.frame;
      if (reply !== undefined) await link.send(reply);
      if (m.mti === "0800") await link.send(keyExchange(encodeWorkingKeys(tmk, newKeys)));
    });
    const trace = await runScenario(scenario, { dialect: plain, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk });
    assert.deepEqual(answers, ["00"]);
    // The purchases after it go out under the sign-on's key, which the host no longer holds: A0.
    assert.deepEqual(codesOf(trace, "0210").slice(1), ["A0", "A0"]);
  });
});
