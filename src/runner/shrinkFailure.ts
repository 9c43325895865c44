import type { Property, Violation } from "./property.js";
import { withSteps, type Scenario, type ScenarioStep } from "../scenario/scenario.js";
import type { TraceEvent } from "../trace/traceEvent.js";

// Shrinking a failure past fast-check: the record of a failure, and single edits that keep it failing.

/** A property found failing (or flaky), and the smallest evidence of it so far. */
export interface Found {
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
export async function polish(f: Found, attempt: (s: Scenario) => Promise<{ scenario: Scenario; trace: TraceEvent[]; violations: Violation[] } | undefined>): Promise<void> {
  let improved = true;
  while (improved && f.best) {
    improved = false;
    for (const candidate of simpler(f.best.scenario)) {
      const evidence = await attempt(candidate);
      if (evidence) {
        f.best = evidence;
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

/** How big a scenario is for shrinking: steps first, then faults. */
export const sizeOf = (s: Scenario) => s.steps.length * 1000 + (s.steps as readonly ScenarioStep[]).filter((x) => x.fault).length;
