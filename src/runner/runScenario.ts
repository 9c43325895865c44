import { KitTerminal, type TerminalCounters } from "../roles/kitTerminal.js";
import { MERCHANT_ID } from "../sim/defaults.js";
import { TraceRecorder } from "../trace/traceRecorder.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import type { CheckContext, Property, Violation } from "./property.js";
import type { Scenario } from "./scenario.js";
import type { Target } from "./target.js";

/** Wall time at clock zero: fixed, so a replay sends the very same bytes. */
export const SCENARIO_EPOCH = new Date(Date.UTC(2026, 0, 15, 9, 30, 0));

export interface ScenarioContext extends CheckContext {
  target: Target;
  merchant?: string;
  tmk: Buffer;
  /** Terminal STANs and batches kept across scenarios (for SUTs that keep their state). */
  counters?: Map<string, TerminalCounters>;
}

/** Runs one scenario against a freshly opened target and returns its trace. */
export async function runScenario(scenario: Scenario, ctx: ScenarioContext): Promise<TraceEvent[]> {
  const sut = await ctx.target.open();
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
      // In-process runs use a fixed epoch so replays send the same bytes; a real SUT gets real time.
      epoch: ctx.target.realTime ? new Date(Date.now() - sut.clock.now()) : SCENARIO_EPOCH,
      counters: ctx.counters,
    }).run();
  } finally {
    await sut.close();
  }
  return recorder.events;
}

/** Every property's violations over one trace, by property ID (only those with any). */
export function checkAll(properties: readonly Property[], scenario: Scenario, trace: readonly TraceEvent[], ctx: CheckContext): Map<string, Violation[]> {
  const out = new Map<string, Violation[]>();
  for (const p of properties) {
    const v = p.check(scenario, trace, ctx);
    if (v.length > 0) out.set(p.id, v);
  }
  return out;
}

