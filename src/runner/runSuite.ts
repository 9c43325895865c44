import fc from "fast-check";
import type { Dialect } from "../iso8583/dialect.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import type { Property, Suite, Violation } from "./property.js";
import { checkAll, runScenario, type ScenarioContext } from "./runScenario.js";
import { withSteps, type Scenario, type ScenarioStep } from "../scenario/scenario.js";
import type { SutTarget } from "../scenario/target.js";

/** The kit itself could not run a scenario (not a SUT failure): the run ends with exit code 2. */
export class KitError extends Error {
  override readonly name = "KitError";
  constructor(message: string, cause: unknown) {
    super(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A property's outcome. `waived` is decided by the reports from the config, not here. */
export type Verdict = "pass" | "fail" | "flaky" | "skipped";

/** The smallest failing scenario found for a property, with the evidence. */
export interface Counterexample {
  scenario: Scenario;
  trace: TraceEvent[];
  violations: Violation[];
  /** Steps of the first failing scenario, before shrinking. */
  originalSteps: number;
  /** Scenarios run while shrinking, and for how long. */
  shrinkRuns: number;
  shrinkMs: number;
}

export interface PropertyResult {
  id: string;
  title: string;
  requirement: string;
  reference: string;
  verdict: Verdict;
  /** Why a property was skipped, or what made it flaky. */
  reason?: string;
  /** The scenario of the run (1-based, counting every shard's) in which this property first failed. */
  foundAfter?: number;
  counterexample?: Counterexample;
}

export interface SuiteResult {
  suite: string;
  dialect: string;
  target: string;
  seed: number;
  /** Scenarios generated (shrink and flake-check runs not counted). */
  scenarios: number;
  /** Every scenario execution, shrinking and flake checks included. */
  executions: number;
  /** Requests over every execution: those the kit sent (host role), or those the terminal sent (terminal role). */
  requests: number;
  durationMs: number;
  /** The run stopped before its planned scenarios (see `stopped`). */
  interrupted: boolean;
  /** Why it stopped early: Ctrl-C, the whole-run deadline, or the kit failing to run a scenario. */
  stopped?: { reason: "interrupted" | "deadline" | "kit-error"; message?: string };
  /** The part of the run this was (`--shard 2/4`); absent for a whole run. */
  shard?: Shard;
  properties: PropertyResult[];
}

/**
 * One of `count` machines sharing a run: all generate the same scenarios from the same seed, and
 * shard `index` (1-based, as `--shard 2/4` names it) runs those whose position modulo `count` is
 * `index - 1`. The shards together run exactly the scenarios of the whole run, failures or not:
 * scenario k is the k-th of the seed's stream in every round (see `runSuite`).
 */
export interface Shard {
  index: number;
  count: number;
}

/** Scenarios of a `runs`-scenario run that fall to `shard`. */
export const shardShare = (runs: number, shard: Shard | undefined): number =>
  shard === undefined ? runs : shard.index > runs ? 0 : Math.floor((runs - shard.index) / shard.count) + 1;

export interface Progress {
  phase: "search" | "flake-check" | "shrink";
  scenarios: number;
  total: number;
  property?: string;
  failed: number;
  /** Properties the run checks. */
  properties: number;
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
  /** Property IDs or prefixes to run (`H-REV` runs H-REV-1 and H-REV-2); all when empty. */
  only?: readonly string[];
  skip?: readonly string[];
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
  before?: { scenario: Scenario; check(trace: TraceEvent[]): void };
  /** Checked between scenarios: return true to stop (SIGINT). */
  interrupted?: () => boolean;
}

/** Whether a property ID is one of `patterns`: an ID, or a prefix (`H-REV` is H-REV-1 and H-REV-2). */
export const idMatches = (id: string, patterns: readonly string[]) => patterns.some((p) => id === p || id.startsWith(p.endsWith("-") ? p : `${p}-`));

/** The properties a run checks, and those it skips with the reason. */
export function selectProperties(o: Pick<RunSuiteOptions, "suite" | "dialect" | "only" | "skip">): { active: Property[]; skipped: Map<string, string> } {
  const active: Property[] = [];
  const skipped = new Map<string, string>();
  for (const p of o.suite.properties) {
    if (o.only && o.only.length > 0 && !idMatches(p.id, o.only)) skipped.set(p.id, "not selected (--only)");
    else if (o.skip && idMatches(p.id, o.skip)) skipped.set(p.id, "skipped (--skip)");
    else if (p.dialects && !p.dialects.includes(o.dialect.name)) skipped.set(p.id, `not applicable to dialect ${o.dialect.name}`);
    else active.push(p);
  }
  return { active, skipped };
}

interface Found {
  property: Property;
  verdict: "fail" | "flaky";
  reason?: string;
  foundAfter: number;
  best?: { scenario: Scenario; trace: TraceEvent[]; violations: Violation[] };
  originalSteps: number;
  shrinkRuns: number;
  shrinkMs: number;
  /** Whether a round has shrunk it; a failure found while shrinking another waits for its own. */
  shrunk: boolean;
}

/** Variants one edit simpler than `s`: a step removed, or a step's fault removed. */
function* simpler(s: Scenario): Generator<Scenario> {
  const steps: readonly ScenarioStep[] = s.steps;
  for (let i = 0; i < steps.length; i++) {
    if (steps.length > 1) yield withSteps(s, steps.filter((_, j) => j !== i));
    if (steps[i].fault) yield withSteps(s, steps.map((st, j) => (j === i ? withoutFault(st) : st)));
  }
}

/**
 * After fast-check's shrinking, one more pass of single edits until none still fails: fast-check
 * shrinks an array from its front, so a needless last step can survive it.
 * `attempt` runs a candidate and returns its evidence when the property still fails (undefined
 * when it passes or the budget is spent).
 */
async function polish(f: Found, attempt: (s: Scenario) => Promise<{ trace: TraceEvent[]; violations: Violation[] } | undefined>): Promise<void> {
  let improved = true;
  while (improved && f.best) {
    improved = false;
    for (const candidate of simpler(f.best.scenario)) {
      const evidence = await attempt(candidate);
      if (evidence) {
        f.best = { scenario: candidate, ...evidence };
        improved = true;
        break;
      }
    }
  }
}

const withoutFault = <T extends { fault?: unknown }>(st: T): T => {
  const { fault: _, ...rest } = st;
  return rest as T;
};

const sizeOf = (s: Scenario) => s.steps.length * 1000 + (s.steps as readonly ScenarioStep[]).filter((x) => x.fault).length;

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
  const started = performance.now();
  const seed = o.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
  const { active, skipped } = selectProperties(o);
  const ctx: ScenarioContext = {
    dialect: o.dialect,
    target: o.target,
    responseTimeoutMs: o.responseTimeoutMs,
    registeredTerminals: o.registeredTerminals,
    reversalAttempts: o.reversalAttempts,
    tmk: o.tmk,
    merchant: o.merchant,
    // A fresh in-process SUT per scenario starts from nothing; an external one remembers, and so
    // must the kit's side of it: its terminals' counters, or the host it plays.
    counters: o.target.realTime ? new Map() : undefined,
    answering: o.target.realTime ? {} : undefined,
  };
  const flakeRuns = o.flakeRuns ?? 2;
  const shrinkMaxRuns = o.shrink?.maxRuns ?? (o.target.realTime ? 100 : 2000);
  const shrinkMaxMs = o.shrink?.maxMs ?? (o.target.realTime ? 15 * 60_000 : 60_000);
  const found = new Map<string, Found>();
  const shard = o.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    throw new RangeError(`shard ${shard.index}/${shard.count}: expected i/n with 1 <= i <= n`);
  }
  const total = shardShare(o.runs, shard);
  /** Positions of the seed's stream dealt with so far: run, left to other shards, or passed over. */
  let covered = 0;
  let scenarios = 0;
  let executions = 0;
  let requests = 0;
  let stopped: SuiteResult["stopped"];
  const failedCount = () => [...found.values()].filter((f) => f.verdict === "fail").length;

  /**
   * Runs a scenario; undefined when the kit itself could not (a reset command failed, a control
   * line broke): that ends the run, whose report then says why, rather than being taken for a
   * failure of the SUT and shrunk.
   */
  const execute = async (s: Scenario): Promise<TraceEvent[] | undefined> => {
    executions++;
    let trace: TraceEvent[];
    try {
      trace = await runScenario(s, ctx);
    } catch (e) {
      stopped ??= { reason: "kit-error", message: `a scenario could not be run: ${e instanceof Error ? e.message : String(e)}` };
      return undefined;
    }
    // Requests go from the kit to a host under test, and from a terminal under test to the kit.
    const asked = s.role === "host" ? "kit→sut" : "sut→kit";
    for (const e of trace) if (e.dir === asked && e.kind === "frame") requests++;
    return trace;
  };
  /** Whether to start no more scenarios. */
  const stop = () => {
    if (stopped === undefined && o.interrupted?.()) stopped = { reason: "interrupted" };
    if (stopped === undefined && o.deadlineMs !== undefined && performance.now() - started > o.deadlineMs) stopped = { reason: "deadline" };
    return stopped !== undefined;
  };
  /** Whether to give up shrinking too: Ctrl-C or a kit failure (the deadline leaves shrinking its own budget). */
  const abandoned = () => o.interrupted?.() === true || stopped?.reason === "kit-error";

  /** The last of shrinking, single edits within the budget (see `polish`); then the property is done. */
  const finishShrinking = async (f: Found, since: number) => {
    await polish(f, async (s) => {
      if (f.shrinkRuns >= shrinkMaxRuns || performance.now() - since > shrinkMaxMs || abandoned()) return undefined;
      f.shrinkRuns++;
      const trace = await execute(s);
      if (trace === undefined) return undefined;
      const violations = f.property.check(s, trace, ctx);
      f.shrinkMs = performance.now() - since;
      return violations.length > 0 ? { trace, violations } : undefined;
    });
    f.shrunk = true;
    const steps = f.best?.scenario.steps.length ?? f.originalSteps;
    o.onEvent?.({ kind: "shrunk", property: f.property.id, from: f.originalSteps, to: steps, runs: f.shrinkRuns, ms: Math.round(f.shrinkMs) });
  };

  if (o.before) {
    const trace = await execute(o.before.scenario);
    if (trace !== undefined) o.before.check(trace);
  }

  while (covered < o.runs && !stop()) {
    const searching = active.filter((p) => {
      const f = found.get(p.id);
      return f === undefined || (f.verdict === "fail" && !f.shrunk);
    });
    if (searching.length === 0) break;
    let target: Found | undefined;
    let shrinkStart = 0;
    /**
     * Stopped (Ctrl-C, deadline, a kit failure): fast-check would still generate every remaining run, so the
     * predicate fails once to end the run, and passes every shrink candidate of that failure.
     */
    let halted = false;
    /** This round's position in the seed's stream. */
    let streamed = 0;
    const predicate = async (s: Scenario): Promise<boolean> => {
      if (halted) return true;
      if (target === undefined) {
        if (stop()) {
          halted = true;
          return false;
        }
        const position = streamed++;
        if (position < covered) return true;
        covered = position + 1;
        if (shard && position % shard.count !== shard.index - 1) return true;
        scenarios++;
        o.onProgress?.({ phase: "search", scenarios, total, failed: failedCount(), properties: active.length });
        // The scenario itself: describing its steps is the console's job, and only in verbose mode.
        o.onEvent?.({ kind: "scenario", index: scenarios, scenario: s });
        const trace = await execute(s);
        if (trace === undefined) {
          halted = true;
          return false;
        }
        const failing = checkAll(searching, s, trace, ctx);
        if (failing.size === 0) return true;
        const confirmed = await flakeCheck(s, failing, trace);
        const first = searching.find((p) => confirmed.has(p.id));
        if (first === undefined) return true;
        target = found.get(first.id);
        shrinkStart = performance.now();
        return false;
      }
      // Shrinking: only the target property counts; past the budget, nothing fails any more.
      if (target.shrinkRuns >= shrinkMaxRuns || performance.now() - shrinkStart > shrinkMaxMs || abandoned()) return true;
      target.shrinkRuns++;
      o.onProgress?.({ phase: "shrink", scenarios, total, property: target.property.id, failed: failedCount(), properties: active.length });
      const trace = await execute(s);
      if (trace === undefined) return true;
      const violations = target.property.check(s, trace, ctx);
      target.shrinkMs = performance.now() - shrinkStart;
      if (violations.length === 0) return true;
      // fast-check only tries candidates simpler than the last failure, so among equally small ones
      // the latest is the most shrunk (a plainer fault kind, a smaller amount).
      if (target.best === undefined || sizeOf(s) <= sizeOf(target.best.scenario)) target.best = { scenario: s, trace, violations };
      return false;
    };

    /** Re-runs a failing scenario; records each property as failed or flaky. Returns the failures. */
    const flakeCheck = async (s: Scenario, failing: Map<string, Violation[]>, trace: TraceEvent[]) => {
      const reproduced = new Map([...failing.keys()].map((id) => [id, 0]));
      // Re-runs the kit could not do are not evidence either way.
      let reruns = 0;
      for (let i = 0; i < flakeRuns; i++) {
        o.onProgress?.({ phase: "flake-check", scenarios, total, failed: failedCount(), properties: active.length });
        const again = await execute(s);
        if (again === undefined) break;
        reruns++;
        for (const id of checkAll(searching.filter((p) => failing.has(p.id)), s, again, ctx).keys()) reproduced.set(id, (reproduced.get(id) ?? 0) + 1);
      }
      const confirmed = new Set<string>();
      for (const [id, violations] of failing) {
        const property = searching.find((p) => p.id === id)!;
        const solid = reproduced.get(id) === reruns;
        const known = found.get(id);
        if (known !== undefined) {
          // Found before, in another property's round: keep the smaller evidence.
          if (solid) confirmed.add(id);
          if (known.best === undefined || sizeOf(s) < sizeOf(known.best.scenario)) known.best = { scenario: s, trace, violations };
          continue;
        }
        const f: Found = {
          property,
          verdict: solid ? "fail" : "flaky",
          foundAfter: covered,
          best: { scenario: s, trace, violations },
          originalSteps: s.steps.length,
          shrinkRuns: 0,
          shrinkMs: 0,
          shrunk: false,
        };
        if (!solid) f.reason = `failed once, then ${reproduced.get(id)} of ${reruns} re-runs`;
        found.set(id, f);
        o.onEvent?.({ kind: "found", property: id, verdict: f.verdict, after: covered, steps: s.steps.length });
        if (solid) confirmed.add(id);
      }
      return confirmed;
    };

    const details = await fc.check(fc.asyncProperty(o.scenarios, predicate), {
      numRuns: o.runs,
      seed,
      endOnFailure: false,
    });
    // The predicate only returns booleans: a failure without a target is the kit itself failing.
    if (halted) break;
    if (details.failed && target === undefined) throw new KitError("a scenario could not be run", details.errorInstance);
    if (target === undefined) break; // the round ran its scenarios without a new failure
    await finishShrinking(target, shrinkStart);
  }

  // A failure met in the scenario that another property was being shrunk over, and not met again
  // before the runs ran out, has had no round of its own: shrink it from its evidence by single edits.
  for (const f of found.values()) {
    if (f.verdict === "fail" && !f.shrunk && !abandoned()) await finishShrinking(f, performance.now());
  }

  const properties: PropertyResult[] = o.suite.properties.map((p) => {
    const base = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference };
    const why = skipped.get(p.id);
    if (why !== undefined) return { ...base, verdict: "skipped", reason: why };
    const f = found.get(p.id);
    if (f === undefined) return { ...base, verdict: "pass" };
    const r: PropertyResult = { ...base, verdict: f.verdict, foundAfter: f.foundAfter };
    if (f.reason) r.reason = f.reason;
    if (f.best) {
      r.counterexample = { ...f.best, originalSteps: f.originalSteps, shrinkRuns: f.shrinkRuns, shrinkMs: Math.round(f.shrinkMs) };
    }
    return r;
  });
  return {
    suite: o.suite.name,
    dialect: o.dialect.name,
    target: o.target.description,
    seed,
    scenarios,
    executions,
    requests,
    durationMs: Math.round(performance.now() - started),
    interrupted: stopped !== undefined,
    ...(stopped ? { stopped } : {}),
    ...(shard ? { shard } : {}),
    properties,
  };
}
