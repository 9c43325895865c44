import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "../../api/runConformance.js";
import { UsageError } from "../../api/usageError.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { allLaneTerminals, cardInLane, inLane, shiftTerminal, type LanePlan } from "../../src/runner/lanes.js";
import type { Progress } from "../../src/runner/runSuite.js";
import { counterexampleOf, reasonOf, type SuiteResult } from "../../src/runner/suiteResult.js";
import { REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import type { HostBugName } from "../../src/sim/host/bugs.js";
import { failures, runHostSuite, untested } from "../helpers/hostRun.js";
import { keptHostTarget } from "../helpers/keptHost.js";
import { CUP_WITH_BALANCES, profiledDialect } from "../helpers/profiledDialect.js";
import { hostSuite } from "../../suites/host/index.js";
import { messageOf } from "../../src/trace/traceEvent.js";
import fc from "fast-check";
import { card } from "../../generators/card.js";
import { cardPan, luhnDigit } from "../../src/scenario/scenario.js";

// Lanes: scenarios run N at once, each with terminals of its own. They must find what a
// sequential run of the same seed finds, after as many scenarios, and the host must see no
// interference between them.
describe("concurrency: lanes of scenarios at once against one host", function () {
  this.timeout(120_000);
  const cup = builtinDialect("cup");
  const plan = (lanes: number): LanePlan => ({ lanes, registered: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] });
  /** What a run found, as a sequential run of the same seed must find it too. */
  const verdicts = (r: SuiteResult) => r.properties.map((p) => `${p.id} ${p.verdict} ${"foundAfter" in p ? p.foundAfter : ""} ${counterexampleOf(p)?.scenario.steps.length ?? ""}`);

  it("lane terminals: numbered on from the run's, the unknown one numbered down; a clash or a terminal without a number is refused", () => {
    assert.deepEqual(allLaneTerminals(plan(3)), {
      registered: ["TERM0001", "TERM0002", "TERM0003", "TERM0004", "TERM0005", "TERM0006", "TERM0007", "TERM0008", "TERM0009", "TERM0010", "TERM0011", "TERM0012"],
      unregistered: ["TERM9999", "TERM9998", "TERM9997"],
    });
    const s = { role: "host" as const, terminals: [...REGISTERED_TERMINALS, UNREGISTERED_TERMINAL], steps: [{ op: "echo" as const, terminal: 4 }] };
    assert.deepEqual((inLane(s, plan(3), 2) as typeof s).terminals, ["TERM0009", "TERM0010", "TERM0011", "TERM0012", "TERM9997"]);
    assert.throws(() => shiftTerminal("TERMINAL", 4), /ends in no number/);
    assert.throws(() => shiftTerminal("T99", 4), /no room for \+4 in its 2-digit number/);
    assert.throws(() => allLaneTerminals({ lanes: 3, registered: ["T01", "T02"], unregistered: ["T05"] }), /terminal T05 would serve two lanes/);
  });

  for (const bug of [undefined, "double-post-duplicate", "reversal-ignored"] as const) {
    it(`${bug ?? "a correct host"}: 8 lanes find what one does, after as many scenarios, shrunk as far, in a lane of their own`, async () => {
      const target = referenceHostTarget(cup, { bug });
      const one = await runHostSuite(cup, target, { runs: 150, seed: 42 });
      const progress: Progress[] = [];
      const eight = await runHostSuite(cup, target, { runs: 150, seed: 42, lanes: plan(8), onProgress: (p) => progress.push(p) });
      assert.deepEqual(verdicts(eight), verdicts(one));
      assert.ok(progress.some((p) => p.lanes?.count === 8 && p.lanes.busy === 8), "the progress shows every lane busy");
      // Each counterexample is the sequential one in some lane: the same steps, that lane's terminals.
      for (const p of eight.properties) {
        const cx = counterexampleOf(p);
        if (cx === undefined) continue;
        const alone = counterexampleOf(one.properties.find((q) => q.id === p.id)!)!.scenario;
        const lanes = Array.from({ length: 8 }, (_, lane) => JSON.stringify(inLane(alone, plan(8), lane)));
        assert.ok(lanes.includes(JSON.stringify(cx.scenario)), `${p.id}: ${JSON.stringify(cx.scenario.steps)}`);
      }
    });
  }

  it("with --shard: a shard's share in 4 lanes finds what the shard finds in one, after as many scenarios", async () => {
    const target = referenceHostTarget(cup, { bug: "double-post-duplicate" });
    for (const index of [1, 3]) {
      const shard = { index, count: 3 };
      const one = await runHostSuite(cup, target, { runs: 120, seed: 5, shard });
      const four = await runHostSuite(cup, target, { runs: 120, seed: 5, shard, lanes: plan(4) });
      assert.equal(four.scenarios, one.scenarios);
      assert.deepEqual(verdicts(four), verdicts(one));
    }
  });

  it("lane cards, where balances are read: disjoint between lanes, with the check digit and the last two digits as generated", () => {
    fc.assert(
      fc.property(card(), fc.nat(99), fc.nat(99), (c, a, b) => {
        if ("file" in c) return;
        const inA = cardInLane(c, a);
        assert.equal(cardPan(cardInLane(inA, b)), cardPan(cardInLane(c, b)), "moving from lane to lane is as moving from the start");
        const pan = cardPan(c);
        const moved = cardPan(inA);
        assert.equal(moved.length, pan.length);
        assert.equal(moved.slice(0, c.bin.length), c.bin);
        assert.equal(moved.slice(-2), pan.slice(-2), "the decline rules' and opening balance's digits");
        assert.equal(luhnDigit(moved.slice(0, -1)), moved.at(-1), "Luhn-valid");
        if (a !== b) assert.notEqual(moved, cardPan(cardInLane(c, b)), `lanes ${a} and ${b}`);
      }),
    );
    const s = { role: "host" as const, terminals: [...REGISTERED_TERMINALS], steps: [{ op: "purchase" as const, terminal: 0, amount: 100, card: { bin: "622588", account: 123456789, length: 16, expiry: "3012", swiped: false } }] };
    assert.deepEqual(inLane(s, plan(8), 3), { ...s, terminals: ["TERM0013", "TERM0014", "TERM0015", "TERM0016"] }, "cards stay where balances are not read");
    assert.notDeepEqual((inLane(s, { ...plan(8), ownCards: true }, 3) as typeof s).steps[0].card, s.steps[0].card);
    // A PAN whose account has four digits carries the units of a lane, not its tens.
    const short = { bin: "62258812", account: 42, length: 13, expiry: "3012", swiped: false };
    assert.equal(cardPan(cardInLane(short, 9)).length, 13);
    assert.throws(() => cardInLane(short, 10), /^RangeError: card 62258812… of 13 digits has no room for lane 10's digits$/);
  });

  it("a host reporting balances, kept for the run: 600 scenarios in 8 lanes with cards of their own, no false alarm; declines-whole-balance still found", async () => {
    const d = CUP_WITH_BALANCES;
    const lanes = { ...plan(8), ownCards: true };
    const r = await runHostSuite(d, keptHostTarget(d), { runs: 600, seed: 11, lanes });
    assert.deepEqual(failures(r).map((p) => `${p.id}: ${reasonOf(p) ?? ""}`), []);
    assert.deepEqual(untested(r), []);
    // Every scenario a purchase sent twice with one and the same card: lanes sharing the card would see each other's postings in its balance, and blame the duplicate.
    const oneCard = { bin: "622588", account: 4242, length: 16, expiry: "3012", swiped: false };
    const scenarios = fc.integer({ min: 100, max: 5_000 }).map((amount) => ({ role: "host" as const, terminals: [...REGISTERED_TERMINALS], steps: [{ op: "purchase" as const, terminal: 0, amount, card: oneCard, fault: { kind: "duplicate" as const } }] }));
    const shared = await runHostSuite(d, keptHostTarget(d), { runs: 200, seed: 11, lanes, scenarios });
    assert.deepEqual(failures(shared).map((p) => `${p.id}: ${reasonOf(p) ?? ""}`), [], "one card, a copy of it per lane");
    const bug = await runHostSuite(d, referenceHostTarget(d, { bug: "declines-whole-balance" }), { runs: 200, seed: 42, lanes, only: ["H-BAL-1"] });
    assert.equal(bug.properties.find((p) => p.id === "H-BAL-1")!.verdict, "fail");
  });

  it("shards in lanes: shard i's lanes come after the shards' before it, so shards run at once against one host meet on no terminal", async () => {
    const shardPlan = (index: number): LanePlan => ({ ...plan(4), first: (index - 1) * 4 });
    const [a, b] = [1, 2].map((i) => allLaneTerminals(shardPlan(i)).registered);
    assert.deepEqual(a.filter((t) => b.includes(t)), []);
    assert.equal(b[0], "TERM0017");
    // Both shards at once against one host, as two machines of a lab would run them.
    const host = keptHostTarget(cup);
    const both = await Promise.all([1, 2].map((index) => runHostSuite(cup, host, { runs: 300, seed: 9, shard: { index, count: 2 }, lanes: shardPlan(index) })));
    for (const r of both) assert.deepEqual(failures(r).map((p) => `${p.id}: ${reasonOf(p) ?? ""}`), []);
    // Through the library, --shard 2/2 --concurrency 4: its counterexample plays terminals of lanes 4 to 7.
    const out = join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "out");
    const r = await runConformance({ role: "host", bug: "double-post-duplicate", shard: "2/2", seed: 5, concurrency: 4, runs: 60, out });
    const cx = counterexampleOf(r.result.properties.find((p) => p.id === "H-DUP-1")!)!;
    const [registered, unknown] = [(cx.scenario as { terminals: string[] }).terminals.slice(0, 4), (cx.scenario as { terminals: string[] }).terminals[4]];
    assert.ok(registered.every((t) => t >= "TERM0017" && t <= "TERM0032") && unknown >= "TERM9992" && unknown <= "TERM9995", JSON.stringify(cx.scenario));
    // --concurrency 1: the shard's one lane, with what the shard alone finds, after as many scenarios.
    const [alone, oneLane] = await Promise.all(
      [undefined, 1].map((concurrency) => runConformance({ role: "host", bug: "double-post-duplicate", shard: "2/2", seed: 5, concurrency, runs: 60, out: join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "out") })),
    );
    assert.deepEqual(verdicts(oneLane.result), verdicts(alone.result));
    assert.deepEqual((counterexampleOf(oneLane.result.properties.find((p) => p.id === "H-DUP-1")!)!.scenario as { terminals: string[] }).terminals, ["TERM0005", "TERM0006", "TERM0007", "TERM0008", "TERM9998"]);
  });

  const keptHost = (bug?: HostBugName) => keptHostTarget(cup, bug);

  it("a correct host kept for the whole run: 2,000 scenarios in 8 lanes, no false alarm, every rule exercised", async () => {
    const r = await runHostSuite(cup, keptHost(), { runs: 2000, seed: 7, lanes: plan(8) });
    assert.equal(r.scenarios, 2000);
    assert.deepEqual(failures(r).map((p) => `${p.id}: ${reasonOf(p) ?? ""}`), []);
    assert.deepEqual(untested(r), []);
  });

  it("--bug rrn-wraps: no scenario shows it; across the run's scenarios in 8 lanes H-RRN-1 fails, naming both", async () => {
    const r = await runHostSuite(cup, keptHost("rrn-wraps"), { runs: 200, seed: 42, lanes: plan(8), only: ["H-RRN-1"] });
    const p = r.properties.find((x) => x.id === "H-RRN-1")!;
    assert.equal(p.verdict, "fail");
    assert.match(reasonOf(p) ?? "", /met across two scenarios of the run: neither re-run nor shrunk/);
    const cx = counterexampleOf(p)!;
    assert.match(cx.violations[0].message, /^\d{12} was given to TERM\d{4}'s \w+ STAN \d{6} in scenario \d+, and before to TERM\d{4}'s \w+ STAN \d{6} in scenario \d+$/);
    // The earlier scenario's request and answer follow this one's trace, on connections named after it, as evidence.
    const earlier = Number(/in scenario (\d+)$/.exec(cx.violations[0].message)![1]);
    const theirs = cx.trace.filter((e) => e.conn?.startsWith(`s${earlier}.`));
    assert.deepEqual(theirs.map((e) => e.dir), ["kit→sut", "sut→kit"], "the approval's request and its answer");
    assert.equal(cx.violations[0].events.length, 4);
    for (const seq of cx.violations[0].events.slice(2)) assert.ok(theirs.some((e) => e.seq === seq));
    const rrn = cx.violations[0].message.slice(0, 12);
    assert.equal(messageOf(theirs.at(-1)!)?.fields["37"], rrn);
    assert.ok(cx.trace.every((e, i) => e.seq === i), "seq in order");
    // Re-checked offline, the trace alone shows the repeated RRN.
    assert.equal(hostSuite.properties.find((x) => x.id === "H-RRN-1")!.check(cx.scenario, cx.trace, { dialect: cup, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS }).violations.length, 1);
    // Where the profile says authorisation codes are unique too, the correct host kept for the run meets none again.
    const lab = profiledDialect("cup", "lab-auth", { auth_codes: "unique" });
    const auth = await runHostSuite(lab, keptHostTarget(lab), { runs: 300, seed: 42, lanes: plan(8), only: ["H-RRN-1"] });
    assert.equal(auth.properties.find((x) => x.id === "H-RRN-1")!.verdict, "pass");
    // A fresh host per scenario hands every scenario the same RRNs: the rule across the run is not applied there.
    const fresh = await runHostSuite(cup, referenceHostTarget(cup, { bug: "rrn-wraps" }), { runs: 200, seed: 42, lanes: plan(8), only: ["H-RRN-1"] });
    assert.equal(fresh.properties.find((x) => x.id === "H-RRN-1")!.verdict, "pass");
  });

  it("--concurrency: the terminal role, and lane terminals the IDs have no room to number, are refused in one line; the built-in host knows the lanes' terminals", async () => {
    const out = () => join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "out");
    await assert.rejects(runConformance({ role: "terminal", concurrency: 4, runs: 5, out: out() }), (e: Error) => e instanceof UsageError && /^--concurrency 4: a terminal under test is one terminal/.test(e.message));
    await assert.rejects(
      runConformance({ role: "host", concurrency: 30, terminals: ["TERMIN01", "TERMIN02", "TERMIN03", "TERMIN04"], runs: 5, out: out() }),
      (e: Error) => e instanceof UsageError && /^--concurrency 30: terminal ID "TERMIN04" has no room for \+96 in its 2-digit number$/.test(e.message),
    );
    const shared = join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "shared.json");
    writeFileSync(shared, JSON.stringify(profiledDialect("iso87ascii", "lab-shared", { links: "shared" }).table));
    await assert.rejects(runConformance({ role: "host", concurrency: 4, dialect: shared, runs: 5, out: out() }), (e: Error) => e instanceof UsageError && /^--concurrency 4: dialect lab-shared's profile puts every terminal on one shared link/.test(e.message));
    const balances = join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "balances.json");
    writeFileSync(balances, JSON.stringify(profiledDialect("cup", "lab-balances", { balances: "inquiry" }).table));
    const cards = join(mkdtempSync(join(tmpdir(), "isoconf-lanes-")), "cards.json");
    writeFileSync(cards, JSON.stringify({ format: "isoconf-cards/1", cards: [{ pan: "6225880000000001", expiry: "3012", balance: 100000 }] }));
    await assert.rejects(
      runConformance({ role: "host", concurrency: 4, dialect: balances, cards, runs: 5, out: out() }),
      (e: Error) => e instanceof UsageError && /^--concurrency 4: dialect lab-balances's profile reads card balances, and the cards of --cards are real test cards the lanes would share; leave out --cards, or run one scenario at a time$/.test(e.message),
    );
    // A shard's one lane: the other shards' lanes would share the cards.
    await assert.rejects(
      runConformance({ role: "host", concurrency: 1, shard: "2/3", seed: 1, dialect: balances, cards, runs: 5, out: out() }),
      (e: Error) => e instanceof UsageError && /^--concurrency 1: .*real test cards the lanes would share; leave out --cards, or run the shards one after another, without --concurrency$/.test(e.message),
    );
    // A card tells at most 100 lanes apart, counted over every shard.
    await assert.rejects(
      runConformance({ role: "host", concurrency: 26, shard: "1/4", seed: 1, dialect: balances, terminals: ["TERM0001"], unregistered: "TERM9999", runs: 5, out: out() }),
      (e: Error) => e instanceof UsageError && /^--concurrency 26 over 4 shards: 104 lanes, and where balances are read a card carries its lane in two digits: at most 100$/.test(e.message),
    );
    // A shared link with a shard's one lane is fine: one scenario at a time on it.
    const sharedOne = await runConformance({ role: "host", concurrency: 1, shard: "1/2", seed: 3, dialect: shared, runs: 10, out: out() });
    assert.equal(sharedOne.exitCode, 0);
    const withBalances = await runConformance({ role: "host", concurrency: 4, dialect: balances, runs: 40, seed: 3, out: out() });
    assert.equal(withBalances.exitCode, 0, "generated cards: each lane has its own");
    const r = await runConformance({ role: "host", concurrency: 4, runs: 40, seed: 3, out: out() });
    assert.equal(r.exitCode, 0);
  });
});
