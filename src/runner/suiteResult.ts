import type { Scenario } from "../scenario/scenario.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import type { Violation } from "./property.js";

// What a run found, as every report reads it.

/**
 * A property's outcome. `untested`: its rule applied too seldom to say it passed (never, by
 * default); `n/a`: the SUT lacks what the rule is about (its profile says so, or the dialect);
 * `skipped`: the user left it out. `waived` is decided by the reports from the config, not here.
 */
export type Verdict = "pass" | "fail" | "flaky" | "untested" | "n/a" | "skipped";
export const VERDICTS: readonly Verdict[] = ["pass", "fail", "flaky", "untested", "n/a", "skipped"];

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

/** What names a property in a result: its ID and what it requires. */
export interface PropertyNames {
  id: string;
  title: string;
  requirement: string;
  reference: string;
  /** What one occasion of its rule is, in the plural ("answers"). */
  judges: string;
}

/** A failure or a flake: where it was first met, and the smallest scenario that shows it. */
export interface Finding {
  /** The scenario of the run (1-based, counting every shard's) in which this property first failed. */
  foundAfter: number;
  counterexample?: Counterexample;
}

/** How often a judged property's rule applied: over the run's scenarios (not its re-runs and shrinking). */
export interface Exercised {
  judged: number;
}

/**
 * A property's result, one shape per verdict: a pass how often its rule applied, an untested
 * property that and why it is not a pass, n/a and a skip their reason, a failure where it was
 * found and its counterexample, a flake that and what made it flaky.
 */
export type PropertyResult = PropertyNames &
  (
    | ({ verdict: "pass"; /** What the pass does not cover (the ledger part of a rule the SUT gives no view of). */ limit?: string } & Exercised)
    | ({ verdict: "untested"; /** Why it is not a pass. */ reason: string } & Exercised)
    | { verdict: "n/a"; /** What the SUT lacks. */ reason: string }
    | { verdict: "skipped"; /** Why it was skipped. */ reason: string }
    | ({ verdict: "fail"; /** Why re-runs that passed did not make it flaky (they met a moved state). */ reason?: string } & Finding & Exercised)
    | ({ verdict: "flaky"; /** What made it flaky. */ reason: string } & Finding & Exercised)
  );

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
  /**
   * Why it stopped early: Ctrl-C, the whole-run deadline, the kit failing to run a scenario, or
   * the SUT gone down (it stopped answering, and did not answer a probe after that).
   */
  stopped?: { reason: StopReason; message?: string };
  /** How often a rule must apply for its property to pass (`--require-exercised`, default 1). */
  requireExercised: number;
  /** The part of the run this was (`--shard 2/4`); absent for a whole run. */
  shard?: Shard;
  properties: PropertyResult[];
}

export const STOP_REASONS = ["interrupted", "deadline", "kit-error", "sut-down"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

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

/** A failure or a flake: the verdicts that carry a finding. */
export type FoundResult = Extract<PropertyResult, { verdict: "fail" | "flaky" }>;
export const isFound = (p: PropertyResult): p is FoundResult => p.verdict === "fail" || p.verdict === "flaky";

// For readers that take a result of any verdict (reports): what it carries, if its verdict has it.

/** The counterexample of a failure or a flake; undefined for other verdicts. */
export const counterexampleOf = (p: PropertyResult): Counterexample | undefined => (isFound(p) ? p.counterexample : undefined);

/** How often its rule applied; undefined for a property not judged (n/a, skipped). */
export const judgedOf = (p: PropertyResult): number | undefined => ("judged" in p ? p.judged : undefined);

/** Why it was skipped, untested or n/a, or what made it flaky; undefined for other verdicts. */
export const reasonOf = (p: PropertyResult): string | undefined => ("reason" in p ? p.reason : undefined);

/** Where a failure or a flake was first met; undefined for other verdicts. */
export const foundAfterOf = (p: PropertyResult): number | undefined => (isFound(p) ? p.foundAfter : undefined);

/** Why a property that did not fail is no pass: its rule applied too seldom over the run's scenarios. */
export function untestedReason(judges: string, judged: number, scenarios: number, required: number): string {
  const over = `in ${scenarios} scenario${scenarios === 1 ? "" : "s"}`;
  return judged === 0 ? `no ${judges} ${over}` : `exercised ${judged} time${judged === 1 ? "" : "s"} ${over}, fewer than the ${required} required`;
}
