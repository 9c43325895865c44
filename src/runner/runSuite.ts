import fc from "fast-check";
import type { Dialect } from "../iso8583/dialect.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import { type Property, PropertyError, type Suite, type Violation } from "./property.js";
import { hasCapability } from "../protocol/profile.js";
import { checkAll, judge, runScenario, type ScenarioContext } from "./runScenario.js";
import { stateMoved } from "./stateMoved.js";
import { allLaneTerminals, inLane, LaneRunner, type LanePlan } from "./lanes.js";
import { appendEarlier, framesOf, type RunValue } from "./acrossRun.js";
import type { ReferenceHost } from "../sim/host/referenceHost.js";
import { type Found, polish, sizeOf } from "./shrinkFailure.js";
import type { Scenario } from "../scenario/scenario.js";
import type { FileCard } from "../scenario/cardFile.js";
import { type PropertyResult, type Shard, shardShare, type SuiteResult, untestedReason } from "./suiteResult.js";
import type { SutTarget } from "../scenario/target.js";

/** The kit itself could not run a scenario (not a SUT failure): the run ends with exit code 2. */
export class KitError extends Error {
  override readonly name = "KitError";
  constructor(message: string, cause: unknown) {
    super(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface Progress {
  phase: "search" | "flake-check" | "shrink";
  scenarios: number;
  total: number;
  property?: string;
  failed: number;
  /** Properties the run checks. */
  properties: number;
  /** With more than one lane: how many, and how many have a scenario under way. */
  lanes?: { count: number; busy: number };
}

/** What the console shows as it happens: a scenario starting, a failure found, a failure shrunk. */
export type RunEvent =
  | { kind: "scenario"; index: number; scenario: Scenario }
  | { kind: "found"; property: string; verdict: "fail" | "flaky"; after: number; steps: number }
  | { kind: "shrunk"; property: string; from: number; to: number; runs: number; ms: number };

export interface RunSuiteOptions {
  suite: Suite;
  dialect: Dialect;
  target: SutTarget;
  /** The scenarios to try, as fast-check arbitraries (per role). */
  scenarios: fc.Arbitrary<Scenario>;
  /** How many scenarios to generate (across all shards). */
  runs: number;
  shard?: Shard;
  seed?: number;
  responseTimeoutMs: number;
  registeredTerminals: readonly string[];
  /** Terminal role: the terminal's configured reversal attempts (default the dialect's). */
  reversalAttempts?: number;
  tmk: Buffer;
  merchant?: string;
  /** The card file the scenarios draw their cards from (`--cards`), if any. */
  cards?: readonly FileCard[];
  /**
   * Host role: scenarios run this many at once, each in a lane with terminals of its own (see
   * `lanes.ts`); `registered` and `unregistered` are the terminals the scenarios are drawn with.
   * Default one lane: one scenario at a time.
   */
  lanes?: LanePlan;
  /** Property IDs or prefixes to run (`H-REV` runs H-REV-1 and H-REV-2); all when empty. */
  only?: readonly string[];
  skip?: readonly string[];
  /** How often a property's rule must apply over the run's scenarios for it to pass (default 1); below, it is `untested`. */
  requireExercised?: number;
  /** Re-runs of a failing scenario before it counts as a failure rather than flaky. */
  flakeRuns?: number;
  shrink?: { maxRuns?: number; maxMs?: number };
  /** Whole-run deadline: scenarios stop being generated after it (shrinking has its own budget). */
  deadlineMs?: number;
  onProgress?: (p: Progress) => void;
  onEvent?: (e: RunEvent) => void;
  /**
   * A scenario run once before the search, with the kit's state carried into the run (the STANs
   * go on from it), whose trace `check` judges: it throws to stop a run whose setup is wrong.
   */
  before?: { scenario: Scenario; check(trace: TraceEvent[], scenario: Scenario): void };
  /**
   * Host role, a SUT that keeps running between scenarios: a short scenario (one sign-on) run after
   * a scenario in which the SUT stopped answering. Without an answer to it, the SUT is down: the run
   * keeps what it found, unshrunk, and stops (`stopped.reason` "sut-down") instead of spending a
   * timeout on every request of every scenario left.
   */
  probe?: Scenario;
  /** Checked between scenarios: return true to stop (SIGINT). */
  interrupted?: () => boolean;
}

/** What a pass of `p` does not cover against this SUT: the ledger part of its rule, when the SUT shows no ledger. */
function ledgerLimit(p: Property, dialect: Dialect): { limit?: string } {
  if (p.ledgerPart === undefined || hasCapability(dialect, "settlement") || hasCapability(dialect, "balances")) return {};
  return { limit: `not judged: ${p.ledgerPart} (the SUT's profile has neither settlement nor balances)` };
}

/** See `SuiteRun.saveState`. */
type SavedState = ReturnType<ReferenceHost["saveCards"]> | undefined;

/** The kit's note that the SUT stopped answering and the scenario ended there (see `KitTerminal`). */
const isSutDown = (e: TraceEvent) => e.kind === "note" && e.detail?.sutDown === true;

/** Whether a property ID is one of `patterns`: an ID, or a prefix (`H-REV` is H-REV-1 and H-REV-2). */
export const idMatches = (id: string, patterns: readonly string[]) => patterns.some((p) => id === p || id.startsWith(p.endsWith("-") ? p : `${p}-`));

/** The properties a run checks; those it does not, with the verdict (skipped or n/a) and the reason. */
export function selectProperties(o: Pick<RunSuiteOptions, "suite" | "dialect" | "only" | "skip">): {
  active: Property[];
  unjudged: Map<string, { verdict: "skipped" | "n/a"; reason: string }>;
} {
  const active: Property[] = [];
  const unjudged = new Map<string, { verdict: "skipped" | "n/a"; reason: string }>();
  for (const p of o.suite.properties) {
    if (o.only && o.only.length > 0 && !idMatches(p.id, o.only)) unjudged.set(p.id, { verdict: "skipped", reason: "not selected (--only)" });
    else if (o.skip && idMatches(p.id, o.skip)) unjudged.set(p.id, { verdict: "skipped", reason: "skipped (--skip)" });
    else if (p.dialects && !p.dialects.includes(o.dialect.name)) unjudged.set(p.id, { verdict: "n/a", reason: `not applicable to dialect ${o.dialect.name}` });
    else if (p.needs !== undefined && !hasCapability(o.dialect, p.needs)) unjudged.set(p.id, { verdict: "n/a", reason: `the SUT's profile (dialect ${o.dialect.name}) says it has no ${p.needs}` });
    else active.push(p);
  }
  return { active, unjudged };
}

/**
 * Runs a suite: one fast-check async property per round over generated scenarios; each scenario
 * runs against a fresh SUT and every active property checks its trace. At a property's first
 * failure the scenario is re-run (`flakeRuns`) to tell a failure from a flake, then shrunk within
 * the budget to the smallest scenario that still fails that property. One failing property does
 * not hide the others: the search goes on for them in the next round, which generates the same
 * stream from the same seed and skips what was run, so scenario k is the same in every round, in
 * every shard, and in a run that found nothing (generating is cheap next to running).
 */
export async function runSuite(o: RunSuiteOptions): Promise<SuiteResult> {
  // Async, so bad options (a shard out of range, requireExercised 0) reject like every other failure.
  return new SuiteRun(o).run();
}

/**
 * One round of the search: a fast-check run over the seed's stream. It searches until a scenario
 * fails a property (`target`), then fast-check shrinks that scenario and every candidate is judged
 * by the target alone.
 */
interface Round {
  /** The properties still looked for: not found yet, or failed but not shrunk yet. */
  searching: Property[];
  target?: Found;
  shrinkStart: number;
  /** The kit's side of a stateful SUT as the target's scenario found it: every shrink run starts from it. */
  before?: SavedState;
  /** The lane the target was found in: its flake check and shrinking run there. */
  lane: number;
  /**
   * Stopped (Ctrl-C, deadline, a kit failure): fast-check would still generate every remaining
   * run, so the predicate fails once to end the round, and passes every shrink candidate.
   */
  halted: boolean;
  /** This round's position in the seed's stream. */
  streamed: number;
}

/** A whole run, as named steps over its state: set up, search rounds, shrink what is left, the result. */
class SuiteRun {
  private readonly started = performance.now();
  private readonly seed: number;
  private readonly active: Property[];
  private readonly unjudged: ReturnType<typeof selectProperties>["unjudged"];
  /** How often each active property's rule applied over the run's scenarios. */
  private readonly judged = new Map<string, number>();
  private readonly requireExercised: number;
  private readonly ctx: ScenarioContext;
  private readonly flakeRuns: number;
  private readonly shrinkMaxRuns: number;
  private readonly shrinkMaxMs: number;
  private readonly total: number;
  private readonly found = new Map<string, Found>();
  /** Positions of the seed's stream dealt with so far: run, left to other shards, or passed over. */
  private covered = 0;
  private scenarios = 0;
  private executions = 0;
  private requests = 0;
  private stopped: SuiteResult["stopped"];
  /** Per property with a rule across the run: the values met so far, and where. */
  private readonly acrossRun = new Map<string, Map<string, RunValue>>();
  /** With more than one lane: the scenarios under way ahead of the search. */
  private readonly lanes: LaneRunner | undefined;

  constructor(private readonly o: RunSuiteOptions) {
    const shard = o.shard;
    if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
      throw new RangeError(`shard ${shard.index}/${shard.count}: expected i/n with 1 <= i <= n`);
    }
    this.seed = o.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
    ({ active: this.active, unjudged: this.unjudged } = selectProperties(o));
    this.requireExercised = o.requireExercised ?? 1;
    if (!(Number.isInteger(this.requireExercised) && this.requireExercised >= 1)) throw new RangeError(`requireExercised ${o.requireExercised}: expected a whole number of at least 1`);
    this.ctx = {
      dialect: o.dialect,
      target: o.target,
      responseTimeoutMs: o.responseTimeoutMs,
      // Every lane's terminals are registered with the host, and judged so.
      registeredTerminals: o.lanes ? allLaneTerminals(o.lanes).registered : o.registeredTerminals,
      reversalAttempts: o.reversalAttempts,
      tmk: o.tmk,
      merchant: o.merchant,
      cards: o.cards,
      // A fresh in-process SUT per scenario starts from nothing; an external one remembers, and so
      // must the kit's side of it: its terminals' counters, or the host it plays.
      counters: o.target.realTime ? new Map() : undefined,
      answering: o.target.realTime ? {} : undefined,
    };
    this.flakeRuns = o.flakeRuns ?? 2;
    this.shrinkMaxRuns = o.shrink?.maxRuns ?? (o.target.realTime ? 100 : 2000);
    this.shrinkMaxMs = o.shrink?.maxMs ?? (o.target.realTime ? 15 * 60_000 : 60_000);
    this.total = shardShare(o.runs, shard);
    if (o.lanes && o.lanes.lanes > 1) {
      if (o.target.role !== "host") throw new RangeError(`concurrency ${o.lanes.lanes}: a terminal under test is one terminal, run one scenario at a time`);
      this.lanes = new LaneRunner({ plan: o.lanes, scenarios: o.scenarios, seed: this.seed, runs: o.runs, shard, run: (s) => this.execute(s) });
    }
  }

  async run(): Promise<SuiteResult> {
    try {
      await this.setUp();
      while (await this.searchRound());
      // A failure met in the scenario that another property was being shrunk over, and not met again
      // before the runs ran out, has had no round of its own: shrink it from its evidence by single edits.
      for (const f of this.found.values()) {
        if (f.verdict === "fail" && !f.shrunk && !this.abandoned()) await this.finishShrinking(f, performance.now());
      }
    } finally {
      // Scenarios started ahead of a run that stopped, or threw: their connections close before it ends.
      await this.lanes?.drain();
    }
    return this.result();
  }

  /** The `before` scenario, whose trace may stop the run before the search. */
  private async setUp(): Promise<void> {
    const before = this.o.before;
    if (before === undefined) return;
    // Once per lane, the lanes at once: every lane's terminals must be ready before the search.
    const lanes = this.lanes === undefined ? [0] : Array.from({ length: this.o.lanes!.lanes }, (_, lane) => lane);
    const runs = await Promise.all(lanes.map(async (lane) => {
      const s = inLane(before.scenario, this.o.lanes, lane);
      return { s, trace: await this.execute(s) };
    }));
    for (const { s, trace } of runs) if (trace !== undefined) before.check(trace, s);
  }

  /** One round over the seed's stream; whether another round is due. */
  private async searchRound(): Promise<boolean> {
    if (this.covered >= this.o.runs || this.stop()) return false;
    const searching = this.active.filter((p) => {
      const f = this.found.get(p.id);
      return f === undefined || (f.verdict === "fail" && !f.shrunk);
    });
    if (searching.length === 0) return false;
    const round: Round = { searching, shrinkStart: 0, halted: false, streamed: 0, lane: 0 };
    const predicate = async (s: Scenario): Promise<boolean> =>
      round.halted ? true : round.target === undefined ? this.searchStep(round, s) : this.shrinkStep(round, round.target, s);
    const details = await fc.check(fc.asyncProperty(this.o.scenarios, predicate), { numRuns: this.o.runs, seed: this.seed, endOnFailure: false });
    // The predicate only returns booleans: a failure without a target is the kit itself failing.
    if (round.halted) return false;
    if (details.failed && round.target === undefined) {
      // A property of the user's own that breaks its contract is theirs to fix, and says so as it is.
      if (details.errorInstance instanceof PropertyError) throw details.errorInstance;
      throw new KitError("a scenario could not be run", details.errorInstance);
    }
    if (round.target === undefined) return false; // the round ran its scenarios without a new failure
    await this.finishShrinking(round.target, round.shrinkStart, round.before, round.lane);
    this.lanes?.release(round.lane);
    return true;
  }

  /** The next scenario of the stream, if it is this shard's and not run before: false when it fails a property. */
  private async searchStep(round: Round, s: Scenario): Promise<boolean> {
    if (this.stop()) {
      round.halted = true;
      return false;
    }
    const position = round.streamed++;
    if (position < this.covered) return true;
    this.covered = position + 1;
    const shard = this.o.shard;
    if (shard && position % shard.count !== shard.index - 1) return true;
    this.scenarios++;
    this.progress("search");
    // The scenario itself: describing its steps is the console's job, and only in verbose mode.
    this.o.onEvent?.({ kind: "scenario", index: this.scenarios, scenario: s });
    const before = this.saveState();
    const drawn = s;
    const { scenario: ran, trace } = this.lanes ? await this.lanes.take(position, drawn) : await this.executeInLane(drawn);
    s = ran;
    if (trace === undefined) {
      round.halted = true;
      return false;
    }
    if (trace.some(isSutDown) && !(await this.alive())) {
      this.stopped ??= { reason: "sut-down", message: `the SUT stopped answering in scenario ${this.covered} and did not answer a sign-on after it` };
    }
    const failing = checkAll(round.searching, s, trace, this.ctx, this.judged);
    this.checkAcrossRun(round, s, trace, failing);
    if (failing.size === 0) return true;
    // Re-runs and shrinking take a lane of their own (the one it ran in may run another by now).
    const lane = (await this.lanes?.hold()) ?? 0;
    const confirmed = await this.flakeCheck(round, s, failing, trace, before, inLane(drawn, this.o.lanes, lane));
    const first = round.searching.find((p) => confirmed.has(p.id));
    if (first === undefined) {
      this.lanes?.release(lane);
      return true;
    }
    round.target = this.found.get(first.id);
    round.shrinkStart = performance.now();
    round.before = before;
    round.lane = lane;
    return false;
  }

  /**
   * The parts of rules that span the run (`Property.acrossRun`), against a SUT that keeps its
   * state: a value met again in a later scenario fails the property there, with both named. It is
   * neither re-run nor shrunk: a replay of one scenario alone cannot show it.
   */
  private checkAcrossRun(round: Round, s: Scenario, trace: TraceEvent[], failing: ReadonlyMap<string, Violation[]>): void {
    if (!this.o.target.realTime) return;
    for (const p of round.searching) {
      if (p.acrossRun === undefined || failing.has(p.id)) continue;
      let seen = this.acrossRun.get(p.id);
      if (seen === undefined) this.acrossRun.set(p.id, (seen = new Map()));
      const violations: Violation[] = [];
      // The counterexample's trace, made on the first repeat: this scenario's, then the frames that carried each value first.
      let shown: TraceEvent[] | undefined;
      const mine = p.acrossRun(trace, this.ctx);
      for (const k of mine) {
        const earlier = seen.get(k.key);
        if (earlier === undefined) continue;
        const from = appendEarlier((shown ??= [...trace]), earlier, k.key, this.ctx.dialect);
        violations.push({ message: `${k.key} was given to ${k.what} in scenario ${this.covered}, and before to ${earlier.what} in scenario ${earlier.scenario}`, expected: "a value new to the run", actual: `${k.key} again`, events: [...k.events, ...from] });
      }
      for (const k of mine) if (!seen.has(k.key)) seen.set(k.key, { what: k.what, scenario: this.covered, frames: framesOf(trace, k.events) });
      if (violations.length === 0 || this.found.has(p.id)) continue;
      this.found.set(p.id, { property: p, verdict: "fail", foundAfter: this.covered, best: { scenario: s, trace: shown ?? trace, violations }, originalSteps: s.steps.length, shrinkRuns: 0, shrinkMs: 0, shrunk: true, reason: "met across two scenarios of the run: neither re-run nor shrunk, as a replay of one alone cannot show it" });
      // Done with: a later scenario of this round failing it in its own trace must not take this counterexample over.
      round.searching = round.searching.filter((q) => q !== p);
      this.o.onEvent?.({ kind: "found", property: p.id, verdict: "fail", after: this.covered, steps: s.steps.length });
    }
  }

  /** One lane and no runner ahead (a shard's own lane, or none): the scenario in lane 0 of the plan, run. */
  private async executeInLane(drawn: Scenario): Promise<{ scenario: Scenario; trace: TraceEvent[] | undefined }> {
    const scenario = inLane(drawn, this.o.lanes, 0);
    return { scenario, trace: await this.execute(scenario) };
  }

  /** A shrink candidate: false when it still fails the target. Past the budget, nothing fails any more. */
  private async shrinkStep(round: Round, target: Found, drawn: Scenario): Promise<boolean> {
    if (target.shrinkRuns >= this.shrinkMaxRuns || performance.now() - round.shrinkStart > this.shrinkMaxMs || this.abandoned()) return true;
    const s = inLane(drawn, this.o.lanes, round.lane);
    target.shrinkRuns++;
    this.restoreState(round.before);
    this.progress("shrink", target.property.id);
    const trace = await this.execute(s);
    if (trace === undefined) return true;
    const { violations } = judge(target.property, s, trace, this.ctx);
    target.shrinkMs = performance.now() - round.shrinkStart;
    if (violations.length === 0) return true;
    // fast-check only tries candidates simpler than the last failure, so among equally small ones
    // the latest is the most shrunk (a plainer fault kind, a smaller amount).
    if (target.best === undefined || sizeOf(s) <= sizeOf(target.best.scenario)) target.best = { scenario: s, trace, violations };
    return false;
  }

  /** Re-runs a failing scenario; records each property as failed or flaky. Returns the failures. */
  private async flakeCheck(round: Round, s: Scenario, failing: Map<string, Violation[]>, trace: TraceEvent[], before: SavedState, rerun: Scenario): Promise<Set<string>> {
    const reproduced = new Map([...failing.keys()].map((id) => [id, 0]));
    // Re-runs the kit could not do are not evidence either way; nor is a pass against a host
    // whose state moved under the first run (a card that ran out of funds).
    let reruns = 0;
    const discarded = new Map<string, number>();
    let moved: string | undefined;
    // A SUT that is down would fail every re-run alike, a timeout at a time: the failure stands as seen.
    for (let i = 0; i < this.flakeRuns && this.stopped?.reason !== "sut-down"; i++) {
      this.progress("flake-check");
      this.restoreState(before);
      const again = await this.execute(rerun);
      if (again === undefined) break;
      reruns++;
      const hits = checkAll(round.searching.filter((p) => failing.has(p.id)), s, again, this.ctx);
      const shift = s.role === "host" && hits.size < failing.size ? stateMoved(this.o.dialect, trace, again) : undefined;
      moved ??= shift;
      for (const id of failing.keys()) {
        if (hits.has(id)) reproduced.set(id, (reproduced.get(id) ?? 0) + 1);
        else if (shift !== undefined) discarded.set(id, (discarded.get(id) ?? 0) + 1);
      }
    }
    const confirmed = new Set<string>();
    for (const [id, violations] of failing) {
      const property = round.searching.find((p) => p.id === id)!;
      const counted = reruns - (discarded.get(id) ?? 0);
      const solid = reproduced.get(id) === counted;
      const known = this.found.get(id);
      if (known !== undefined) {
        // Found before, in another property's round: keep the smaller evidence.
        if (solid) confirmed.add(id);
        if (known.best === undefined || sizeOf(s) < sizeOf(known.best.scenario)) known.best = { scenario: s, trace, violations };
        continue;
      }
      const f: Found = {
        property,
        verdict: solid ? "fail" : "flaky",
        foundAfter: this.covered,
        best: { scenario: s, trace, violations },
        originalSteps: s.steps.length,
        shrinkRuns: 0,
        shrinkMs: 0,
        shrunk: false,
      };
      if (!solid) f.reason = `failed once, then ${reproduced.get(id)} of ${counted} re-runs`;
      else if (discarded.has(id)) f.reason = `${discarded.get(id)} re-run(s) passed but are no evidence: ${moved}`;
      this.found.set(id, f);
      this.o.onEvent?.({ kind: "found", property: id, verdict: f.verdict, after: this.covered, steps: s.steps.length });
      if (solid) confirmed.add(id);
    }
    return confirmed;
  }

  /** The last of shrinking, single edits within the budget (see `polish`); then the property is done. */
  private async finishShrinking(f: Found, since: number, before?: SavedState, held?: number): Promise<void> {
    // In a lane of its own: the one the failure ran in may run another scenario by now.
    const lane = held ?? (await this.lanes?.hold()) ?? 0;
    await polish(f, async (candidate) => {
      if (f.shrinkRuns >= this.shrinkMaxRuns || performance.now() - since > this.shrinkMaxMs || this.abandoned()) return undefined;
      f.shrinkRuns++;
      this.restoreState(before);
      const s = inLane(candidate, this.o.lanes, lane);
      const trace = await this.execute(s);
      if (trace === undefined) return undefined;
      const { violations } = judge(f.property, s, trace, this.ctx);
      f.shrinkMs = performance.now() - since;
      return violations.length > 0 ? { scenario: s, trace, violations } : undefined;
    });
    if (held === undefined) this.lanes?.release(lane);
    f.shrunk = true;
    const steps = f.best?.scenario.steps.length ?? f.originalSteps;
    this.o.onEvent?.({ kind: "shrunk", property: f.property.id, from: f.originalSteps, to: steps, runs: f.shrinkRuns, ms: Math.round(f.shrinkMs) });
  }

  /**
   * What the kit's own side of a stateful SUT holds that a re-run must start from again: the
   * card balances of the host the kit plays for a terminal under test (see `saveCards`).
   */
  private saveState(): SavedState {
    return this.ctx.answering?.host?.saveCards();
  }

  private restoreState(saved: SavedState): void {
    if (saved !== undefined) this.ctx.answering?.host?.restoreCards(saved);
  }

  /**
   * Runs a scenario; undefined when the kit itself could not (a reset command failed, a control
   * line broke): that ends the run, whose report then says why, rather than being taken for a
   * failure of the SUT and shrunk.
   */
  private async execute(s: Scenario, o: Pick<ScenarioContext, "downAfter"> = {}): Promise<TraceEvent[] | undefined> {
    this.executions++;
    let trace: TraceEvent[];
    try {
      trace = await runScenario(s, { ...this.ctx, ...o });
    } catch (e) {
      this.stopped ??= { reason: "kit-error", message: `a scenario could not be run: ${e instanceof Error ? e.message : String(e)}` };
      return undefined;
    }
    // Requests go from the kit to a host under test, and from a terminal under test to the kit.
    const asked = s.role === "host" ? "kit→sut" : "sut→kit";
    for (const e of trace) if (e.dir === asked && e.kind === "frame") this.requests++;
    return trace;
  }

  /** Whether to start no more scenarios. */
  private stop(): boolean {
    if (this.stopped === undefined && this.o.interrupted?.()) this.stopped = { reason: "interrupted" };
    if (this.stopped === undefined && this.o.deadlineMs !== undefined && performance.now() - this.started > this.o.deadlineMs) this.stopped = { reason: "deadline" };
    return this.stopped !== undefined;
  }

  /** Whether to give up shrinking too: Ctrl-C, a kit failure or a SUT gone down (the deadline leaves shrinking its own budget). */
  private abandoned(): boolean {
    return this.o.interrupted?.() === true || this.stopped?.reason === "kit-error" || this.stopped?.reason === "sut-down";
  }

  /**
   * Whether a SUT that stopped answering in a scenario is back: the probe, stopped at its first
   * unanswered request. A SUT made afresh for each scenario, or a run without a probe, is taken as alive.
   */
  private async alive(): Promise<boolean> {
    if (this.o.probe === undefined || !this.o.target.realTime) return true;
    // In a lane of its own: the other lanes may be running scenarios ahead with lane 0's terminals.
    const lane = (await this.lanes?.hold()) ?? 0;
    try {
      const trace = await this.execute(inLane(this.o.probe, this.o.lanes, lane), { downAfter: 1 });
      return trace !== undefined && trace.some((e) => e.dir === "sut→kit" && e.kind === "frame");
    } finally {
      this.lanes?.release(lane);
    }
  }

  private progress(phase: Progress["phase"], property?: string): void {
    const failed = [...this.found.values()].filter((f) => f.verdict === "fail").length;
    const lanes = this.lanes?.busy();
    this.o.onProgress?.({ phase, scenarios: this.scenarios, total: this.total, ...(property ? { property } : {}), failed, properties: this.active.length, ...(lanes ? { lanes } : {}) });
  }

  private result(): SuiteResult {
    const properties: PropertyResult[] = this.o.suite.properties.map((p) => {
      const base = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference, judges: p.judges };
      const unjudged = this.unjudged.get(p.id);
      if (unjudged !== undefined) return { ...base, ...unjudged };
      const judged = this.judged.get(p.id) ?? 0;
      const f = this.found.get(p.id);
      if (f === undefined) {
        if (judged >= this.requireExercised) return { ...base, verdict: "pass", judged, ...ledgerLimit(p, this.o.dialect) };
        return { ...base, verdict: "untested", judged, reason: untestedReason(p.judges, judged, this.scenarios, this.requireExercised) };
      }
      const cx = f.best ? { counterexample: { ...f.best, originalSteps: f.originalSteps, shrinkRuns: f.shrinkRuns, shrinkMs: Math.round(f.shrinkMs) } } : {};
      if (f.verdict === "fail") return { ...base, verdict: "fail", judged, foundAfter: f.foundAfter, ...(f.reason !== undefined ? { reason: f.reason } : {}), ...cx };
      return { ...base, verdict: "flaky", judged, foundAfter: f.foundAfter, reason: f.reason ?? "", ...cx };
    });
    return {
      suite: this.o.suite.name,
      dialect: this.o.dialect.name,
      target: this.o.target.description,
      seed: this.seed,
      scenarios: this.scenarios,
      executions: this.executions,
      requests: this.requests,
      durationMs: Math.round(performance.now() - this.started),
      interrupted: this.stopped !== undefined,
      requireExercised: this.requireExercised,
      ...(this.stopped ? { stopped: this.stopped } : {}),
      ...(this.o.shard ? { shard: this.o.shard } : {}),
      properties,
    };
  }
}
