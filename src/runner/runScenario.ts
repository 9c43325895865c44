import { rulesOf } from "../protocol/index.js";
import { answeringReferenceHost } from "../roles/answeringReferenceHost.js";
import { KitHost } from "../roles/kitHost.js";
import { KitTerminal, type TerminalCounters } from "../roles/kitTerminal.js";
import { MERCHANT_ID, REGISTERED_TERMINALS } from "../sim/defaults.js";
import type { ReferenceHost } from "../sim/host/referenceHost.js";
import { TraceRecorder } from "../trace/traceRecorder.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import { type CheckContext, type Judgement, type Property, PropertyError, type Violation } from "./property.js";
import type { HostScenario, Scenario, TerminalScenario } from "../scenario/scenario.js";
import type { FileCard } from "../scenario/cardFile.js";
import { epochFor } from "../scenario/epoch.js";
import type { SutTarget, Target, TerminalTarget } from "../scenario/target.js";

export interface ScenarioContext extends CheckContext {
  /** A host target for host scenarios, a terminal target for terminal scenarios. */
  target: SutTarget;
  merchant?: string;
  tmk: Buffer;
  /** Terminal STANs and batches kept across scenarios (for SUTs that keep their state). */
  counters?: Map<string, TerminalCounters>;
  /**
   * Terminal role, a terminal that keeps its state between scenarios: the host the kit plays
   * keeps its own (working keys, batch, journal) in here from one scenario to the next.
   */
  answering?: { host?: ReferenceHost };
  /** Host role: unanswered requests in a row after which the SUT counts as down (see `DOWN_AFTER`). */
  downAfter?: number;
  /** The run's card file (`--cards`), where the scenarios' cards come from it. */
  cards?: readonly FileCard[];
}

/** Runs one scenario against a freshly opened target of its role and returns its trace. */
export function runScenario(scenario: Scenario, ctx: ScenarioContext): Promise<TraceEvent[]> {
  const target = ctx.target;
  if (scenario.role === "terminal") {
    if (target.role !== "terminal") throw new Error("a terminal scenario runs against a terminal target");
    return runTerminalScenario(scenario, target, ctx);
  }
  if (target.role !== "host") throw new Error("a host scenario runs against a host target");
  return runHostScenario(scenario, target, ctx);
}

async function runHostScenario(scenario: HostScenario, target: Target, ctx: ScenarioContext): Promise<TraceEvent[]> {
  const sut = await target.open();
  const recorder = new TraceRecorder({ dialect: ctx.dialect, clock: sut.clock });
  try {
    await new KitTerminal(scenario, {
      dialect: ctx.dialect,
      clock: sut.clock,
      recorder,
      connect: () => sut.connect(),
      responseTimeoutMs: ctx.responseTimeoutMs,
      merchant: ctx.merchant ?? MERCHANT_ID,
      tmk: ctx.tmk,
      epoch: epochFor(target.realTime, sut.clock.now()),
      counters: ctx.counters,
      downAfter: ctx.downAfter,
      cards: ctx.cards,
    }).run();
  } finally {
    await sut.close();
  }
  return recorder.events;
}

async function runTerminalScenario(scenario: TerminalScenario, target: TerminalTarget, ctx: ScenarioContext): Promise<TraceEvent[]> {
  const sut = await target.open();
  const recorder = new TraceRecorder({ dialect: ctx.dialect, clock: sut.clock });
  const host =
    ctx.answering?.host ??
    answeringReferenceHost(ctx.dialect, {
      clock: sut.clock,
      epoch: epochFor(target.realTime, sut.clock.now()),
      tid: ctx.registeredTerminals[0] ?? REGISTERED_TERMINALS[0],
      mid: ctx.merchant ?? MERCHANT_ID,
      tmk: ctx.tmk,
    });
  if (ctx.answering) ctx.answering.host = host;
  const kit = new KitHost(scenario, {
    dialect: ctx.dialect,
    clock: sut.clock,
    recorder,
    terminal: sut,
    responseTimeoutMs: ctx.responseTimeoutMs,
    reversalAttempts: ctx.reversalAttempts ?? rulesOf(ctx.dialect).reversal.attempts,
    host,
    cards: ctx.cards,
  });
  try {
    await kit.run();
  } finally {
    await sut.close();
    await kit.stopped();
  }
  return recorder.events;
}

/**
 * A property's judgement of one trace, checked for its shape: a suite of the user's own written
 * for an older isoconf returns the violations alone, and must say how often its rule applied.
 */
export function judge(p: Property, scenario: Scenario, trace: readonly TraceEvent[], ctx: CheckContext): Judgement {
  let j: Partial<Judgement> | undefined;
  try {
    j = p.check(scenario, trace, ctx);
  } catch (e) {
    throw new PropertyError(`property ${p.id}: check() threw: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (typeof j !== "object" || j === null || Array.isArray(j) || !Number.isInteger(j.judged) || !Array.isArray(j.violations)) {
    throw new PropertyError(
      `property ${p.id}: check() returned ${Array.isArray(j) ? "an array" : JSON.stringify(j)}; expected { judged, violations }, judged being how many times its rule applied in the trace`,
    );
  }
  return j as Judgement;
}

/**
 * Every property's violations over one trace, by property ID (only those with any). `judged`, when
 * given, adds up by property ID how many times each rule applied.
 */
export function checkAll(
  properties: readonly Property[],
  scenario: Scenario,
  trace: readonly TraceEvent[],
  ctx: CheckContext,
  judged?: Map<string, number>,
): Map<string, Violation[]> {
  const out = new Map<string, Violation[]>();
  for (const p of properties) {
    const j = judge(p, scenario, trace, ctx);
    if (j.violations.length > 0) out.set(p.id, j.violations);
    if (judged !== undefined) judged.set(p.id, (judged.get(p.id) ?? 0) + Math.max(j.judged, j.violations.length > 0 ? 1 : 0));
  }
  return out;
}
