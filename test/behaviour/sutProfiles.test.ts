import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runConformance } from "../../api/runConformance.js";
import { UsageError } from "../../api/usageError.js";
import { createServer } from "node:net";
import { type Dialect, DialectError, loadDialect } from "../../src/iso8583/dialect.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { referenceTerminalTarget } from "../../src/roles/referenceTerminalTarget.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { HOST_BUGS, hostBugAcrossRun, hostBugNeeds } from "../../src/sim/host/bugs.js";
import { hasCapability, profileOf, responseMti } from "../../src/protocol/index.js";
import { profiledDialect as profiled } from "../helpers/profiledDialect.js";
import { TERMINAL_BUGS } from "../../src/sim/terminal/bugs.js";
import { hostSuite } from "../../suites/host/index.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import { failures, runHostSuite, untested } from "../helpers/hostRun.js";
import { keptHostTarget } from "../helpers/keptHost.js";
import { runTerminalSuite } from "../helpers/terminalRun.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";
import { messageOf } from "../../src/trace/traceEvent.js";
import { ledger } from "../../suites/host/ledger.js";

// SUTs that are not shaped like CUP: no sign-on, no settlement, balances instead of totals. The
// kit asks only for what the profile says the SUT does, judges the rest, and calls a property it
// cannot judge n/a (or, where only part of a rule is out of sight, says which part).
const PROFILES: Dialect[] = [
  // ISO 87 with no settlement: what the host posted shows in the balances of field 54.
  profiled("iso87ascii", "lab-balances", { settlement: "none", balances: "inquiry" }),
  profiled("iso87ascii", "lab-nosettle", { sign_on: "none", settlement: "none" }),
  profiled("cup", "lab-cup-nosettle", { settlement: "none" }),
  // A host that dials out over one link for every terminal and signs on itself down it.
  profiled("iso87ascii", "lab-dialout-logon", { sign_on: "host", links: "shared" }),
];

const needsBalances = (ids: readonly string[]) => ids.some((id) => hostSuite.properties.find((p) => p.id === id)?.needs === "balances");
const needsSettlement = (ids: readonly string[]) => ids.some((id) => [...hostSuite.properties, ...terminalSuite.properties].find((p) => p.id === id)?.needs === "settlement");

describe("SUT profiles: the kit adapts to a SUT without sign-on or settlement", function () {
  this.timeout(120_000);

  for (const d of PROFILES) {
    const signOn = d.table.transactions?.profile?.sign_on ?? "kit";
    const settles = hasCapability(d, "settlement");
    const sees = { ledger: settles || hasCapability(d, "balances"), balances: hasCapability(d, "balances") };
    describe(d.name, () => {
      it(`the kit sends ${settles ? "a" : "no"} settlement and ${signOn === "kit" ? "a" : "no"} sign-on${signOn === "host" ? ", and answers the host's own sign-on before anything else" : ""}`, async () => {
        const ctx = { dialect: d, target: referenceHostTarget(d), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
        const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } }] }, ctx);
        const frames = trace.flatMap((e) => (messageOf(e) ? [`${e.dir === "kit→sut" ? ">" : "<"}${messageOf(e)!.mti}`] : []));
        const rules = d.table.transactions!.operations;
        assert.equal(frames.includes(`>${rules.settlement.mti}`), settles, frames.join(" "));
        assert.equal(frames.includes(`>${rules.signon.mti}`), signOn === "kit", frames.join(" "));
        assert.ok(frames.includes(`>${rules.purchase.mti}`));
        // The host's sign-on comes first on the link, and its answer before the kit's first request.
        if (signOn === "host") assert.deepEqual(frames.slice(0, 3), [`<${rules.signon.mti}`, `>${responseMti(rules.signon.mti)}`, `>${rules.purchase.mti}`]);
      });

      it(`a correct host: no failure over 500 scenarios, ${settles ? "" : "H-SET-1 n/a, "}every other rule exercised`, async () => {
        const r = await runHostSuite(d, referenceHostTarget(d), { runs: 500, seed: 20261203 });
        assert.equal(r.scenarios, 500);
        assert.deepEqual(failures(r).map((p) => p.id), []);
        assert.deepEqual(untested(r), []);
        const set = r.properties.find((p) => p.id === "H-SET-1")!;
        assert.equal(set.verdict, settles ? "pass" : "n/a");
        if (!settles) assert.match("reason" in set ? set.reason : "", /profile \(dialect lab-[a-z-]+\) says it has no settlement/);
        // Without totals or balances, what a reversal did to the books is out of sight, and the pass says so.
        const limits = r.properties.flatMap((p) => (p.verdict === "pass" && p.limit !== undefined ? [p.id] : []));
        assert.deepEqual(limits, sees.ledger ? [] : ["H-DUP-1", "H-REV-1", "H-REV-2"]);
      });

      it(`a correct terminal: no failure over 500 scenarios${settles ? "" : ", T-SET-1 n/a"}`, async () => {
        const r = await runTerminalSuite(d, referenceTerminalTarget(d), { runs: 500, seed: 20261203 });
        assert.equal(r.scenarios, 500);
        assert.deepEqual(failures(r).map((p) => p.id), []);
        assert.deepEqual(untested(r), []);
        assert.equal(r.properties.find((p) => p.id === "T-SET-1")!.verdict, settles ? "pass" : "n/a");
      });

      it("every seeded bug the profile lets the kit see is found; the others are n/a or a pass that says what it did not judge", async () => {
        const missed: string[] = [];
        // Found is what is asked here (hostSuite and terminalSuite shrink them): no shrinking.
        const shrink = { maxRuns: 0 };
        for (const [bug, run] of [
          ...HOST_BUGS.filter((b) => !hostBugAcrossRun(b)).map((b) => [b, (only: string[]) => runHostSuite(d, referenceHostTarget(d, { bug: b.name }), { runs: 200, seed: 42, only, shrink })] as const),
          ...TERMINAL_BUGS.map((b) => [b, (only: string[]) => runTerminalSuite(d, referenceTerminalTarget(d, { bug: b.name }), { runs: 200, seed: 42, only, shrink })] as const),
        ]) {
          // As in the dialect variants: a reason of 98 for every failure shows only on a bad MAC.
          if (bug.name === "wrong-reason-code" && d.table.mac === null) continue;
          const property = bug.violates[0];
          const result = (await run([property])).properties.find((p) => p.id === property)!;
          // Bugs only the ledger shows (totals or balances) cannot be seen without one of them.
          const visible = hostBugNeeds(bug as (typeof HOST_BUGS)[number]) === undefined || sees.balances;
          const ledgerOnly = ["reversal-ignored", "reversal-not-idempotent", "racy-double-reversal"].includes(bug.name);
          // Racing needs a second connection: where one link carries every terminal, the copies go one after the other.
          const unraced = (bug.name.startsWith("racy-") || bug.name === "crossed-answers") && profileOf(d).links === "shared";
          // A property that needs balances (H-BAL-1) is n/a without them, as one that needs settlement is.
          const unseen = (needsSettlement([property]) && !settles) || (needsBalances([property]) && !sees.balances);
          const expected = unseen ? "n/a" : !visible || unraced || (ledgerOnly && !sees.ledger) ? "pass" : "fail";
          if (result.verdict !== expected || (expected === "pass" && !sees.ledger && !("limit" in result && result.limit))) missed.push(`${bug.name} (${property}): ${result.verdict}`);
        }
        assert.deepEqual(missed, []);
      });
    });
  }

  for (const signOn of ["none", "host"] as const) {
    it(`CUP with sign_on: ${signOn}, one host kept across scenarios: the kit takes the next batch after each settlement (its answer carries no MAC to check), no false alarm`, async () => {
      const d = profiled("cup", `cup-signon-${signOn}`, { sign_on: signOn });
      // Nothing hands the batch back between scenarios: a settlement taken for a bad MAC kept the kit on batch 000001 and every later one failed H-SET-1.
      const r = await runHostSuite(d, keptHostTarget(d), { runs: 60, seed: 7 });
      assert.equal(r.scenarios, 60);
      assert.deepEqual(failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message}`), []);
      assert.equal(r.properties.find((p) => p.id === "H-SET-1")!.verdict, "pass");
    });
  }

  it("lab-balances: the kit reads each card's balance before and after the steps, and the ledger compares the move with what was approved", async () => {
    const d = PROFILES[0];
    const ctx = { dialect: d, target: referenceHostTarget(d), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
    const card = { bin: "622588", account: 7, length: 16, expiry: "2812", swiped: false };
    const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card }, { op: "purchase", terminal: 0, amount: 700, card, fault: { kind: "drop" } }] }, ctx);
    const notes = trace.flatMap((e) => (e.kind === "note" && e.detail?.observe !== undefined ? [e.detail.observe] : []));
    assert.deepEqual(notes, ["before", "after"]);
    const [b] = ledger(d, trace).balances;
    // The dropped purchase was reversed: only the first one's 5.00 stays debited.
    assert.deepEqual([b.expected, b.observed, b.undoing.length], [-500, -500, 1]);
  });

  it("over TCP: the reference host process under a profiled dialect file, run with isoconf's preflight (no sign-on to check)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "isoconf-profile-")), "lab.json");
    writeFileSync(file, JSON.stringify(PROFILES[0].table));
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "-d", file]);
    try {
      const r = await runConformance({ role: "host", target: host.url, dialect: file, runs: 30, seed: 5, "timeout-ms": 5000, out: join(dirname(file), "out") });
      const verdicts = Object.fromEntries(r.result.properties.map((p) => [p.id, p.verdict]));
      assert.equal(verdicts["H-SET-1"], "n/a");
      assert.deepEqual(r.result.properties.filter((p) => p.verdict === "fail" || p.verdict === "flaky").map((p) => p.id), [], host.stderr());
      assert.equal(r.result.scenarios, 30);
    } finally {
      await stop(host.child);
    }
  });

  /** A dialect file of `profile` in a new folder, for a host process and the kit to share. */
  const profileFile = (name: string, profile: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), `isoconf-${name}-`));
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(profiled("iso87ascii", name, profile).table));
    return { dir, file };
  };

  it("--listen, a host that dials out over one link carrying every terminal and signs on itself (links: shared, sign_on: host): no false alarm, and no terminal waits for a connection of its own", async () => {
    const { dir, file } = profileFile("lab-dialout", { links: "shared", sign_on: "host" });
    const port = await freePort();
    const host = await startHostProcess(["--dial", `tcp://127.0.0.1:${port}`, "-d", file]);
    try {
      const started = performance.now();
      const r = await runConformance({ role: "host", listen: `tcp://127.0.0.1:${port}`, dialect: file, runs: 40, seed: 3, "timeout-ms": 2000, out: join(dir, "out") });
      assert.deepEqual(failures(r.result).map((p) => p.id), [], host.stderr());
      assert.equal(r.result.scenarios, 40);
      assert.ok(performance.now() - started < 30_000, "no terminal waited out a connection of its own");
    } finally {
      await stop(host.child);
    }
  });

  it("--listen, a host that dials one link where the profile says one per terminal: the run stops in a few timeouts saying to set links: shared, and blames no property on the host", async () => {
    const { dir, file } = profileFile("lab-oneline", {});
    const port = await freePort();
    const host = await startHostProcess(["--dial", `tcp://127.0.0.1:${port}`, "-d", file]);
    try {
      const started = performance.now();
      const r = await runConformance({ role: "host", listen: `tcp://127.0.0.1:${port}`, dialect: file, runs: 5, seed: 1, "timeout-ms": 300, out: join(dir, "out") });
      assert.equal(r.result.stopped?.reason, "kit-error");
      assert.match(r.result.stopped?.message ?? "", /the host keeps one link open and dialled no second one within 0\.9 s.*"links": "shared"/);
      assert.deepEqual(failures(r.result).map((p) => p.id), []);
      assert.ok(performance.now() - started < 10_000);
    } finally {
      await stop(host.child);
    }
  });

  it("a host that signs on itself, tested without sign_on: host: one line before the run saying so", async () => {
    const logon = profileFile("lab-logon", { sign_on: "host" });
    const plain = profileFile("lab-plain", {});
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "-d", logon.file]);
    try {
      await assert.rejects(
        runConformance({ role: "host", target: host.url, dialect: plain.file, runs: 5, "timeout-ms": 300, out: join(plain.dir, "out") }),
        (e: Error) => e instanceof UsageError && /the host sent a sign-on of its own \(0800\) and left TERM0001's unanswered: .*"sign_on": "host"/.test(e.message),
      );
    } finally {
      await stop(host.child);
    }
  });

  it("sign_on: host against a host that sends no sign-on: the kit notes it after a response timeout and goes on, judging nothing on it", async () => {
    const kitSide = profiled("iso87ascii", "lab-waits", { sign_on: "host" });
    const ctx = { dialect: kitSide, target: referenceHostTarget(builtinDialect("iso87ascii")), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
    const scenario = { role: "host" as const, terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase" as const, terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } }] };
    const trace = await runScenario(scenario, ctx);
    const note = trace.find((e) => e.kind === "note" && e.detail?.hostSignOn === "missing");
    assert.equal(note?.text, "the host sent no sign-on within 30000 ms of the connection (its profile says sign_on: host); the kit goes on without it");
    assert.equal(note?.step, undefined, "setup of the link, not the step");
    assert.equal(messageOf(trace.find((e) => e.dir === "sut→kit" && messageOf(e)?.mti === "0210")!)!.fields["39"], "00");
    assert.deepEqual([...checkAll(hostSuite.properties, scenario, trace, ctx).keys()], []);
  });

  it("an operation's extra fields: constants and copies go on every request of it, the reference host wants them, and a field the dialect lacks is refused naming the key", async () => {
    const withExtras = (fields: Record<string, unknown>) => {
      const t = structuredClone(builtinDialect("iso87ascii").table) as any;
      t.dialect = "lab-extras";
      t.transactions.operations.purchase.fields = fields;
      return t;
    };
    const d = loadDialect(withExtras({ "51": { copy: "49" }, "6": { copy: "4" } }), "lab-extras.json");
    const ctx = { dialect: d, target: referenceHostTarget(d), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
    const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } }] }, ctx);
    const sent = messageOf(trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0200")!)!.fields;
    assert.deepEqual([sent["51"], sent["6"]], [sent["49"], sent["4"]]);
    assert.equal(messageOf(trace.find((e) => e.dir === "sut→kit" && messageOf(e)?.mti === "0210")!)!.fields["39"], "00");
    const r = await runHostSuite(d, referenceHostTarget(d), { runs: 300, seed: 9 });
    assert.deepEqual(failures(r).map((p) => p.id), []);
    // A host that wants field 51 refuses a purchase without it (30).
    const plain = builtinDialect("iso87ascii");
    const refused = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false } }] }, { ...ctx, dialect: plain });
    assert.equal(messageOf(refused.find((e) => e.dir === "sut→kit" && messageOf(e)?.mti === "0210")!)!.fields["39"], "30");
    assert.throws(() => loadDialect(withExtras({ "51": { copy: "129" } }), "lab-extras.json"), /lab-extras\.json: transactions\.operations\.purchase\.fields\.51\.copy: the dialect defines no field 129 to copy/);
  });

  it("--listen when nobody dials in: one line after a few timeouts (or --deadline-ms), exit 2", async () => {
    const port = await freePort();
    const started = performance.now();
    await assert.rejects(
      runConformance({ role: "host", listen: `tcp://127.0.0.1:${port}`, runs: 5, "timeout-ms": 200, out: join(mkdtempSync(join(tmpdir(), "isoconf-nobody-")), "out") }),
      (e: Error) => e instanceof UsageError && new RegExp(`nobody connected to tcp://127\\.0\\.0\\.1:${port} within 0\\.6 s`).test(e.message),
    );
    await assert.rejects(runConformance({ role: "host", listen: `tcp://127.0.0.1:${port}`, runs: 5, "deadline-ms": 300, out: join(mkdtempSync(join(tmpdir(), "isoconf-nobody-")), "out") }), /within 0\.3 s/);
    assert.ok(performance.now() - started < 5_000);
  });

  it("a profile with an unknown key or value is refused at load, naming the key", () => {
    assert.throws(() => profiled("cup", "lab-bad", { settlement: "daily" }), (e: unknown) => e instanceof DialectError && /transactions\.profile\.settlement/.test(e.message));
    assert.throws(() => profiled("cup", "lab-bad", { logon: "host" }), (e: unknown) => e instanceof DialectError && /transactions\.profile/.test(e.message) && /logon/.test(e.message));
  });
});

/** A TCP port on loopback that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
