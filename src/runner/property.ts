import type { Capability } from "../protocol/profile.js";
import type { Dialect } from "../iso8583/dialect.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import type { Scenario } from "../scenario/scenario.js";

/** One way a SUT broke a property, with the trace events that prove it. */
export interface Violation {
  /** What happened, in one sentence. */
  message: string;
  expected: string;
  actual: string;
  /** `seq` of the trace events that show it. */
  events: number[];
}

/** What properties know about the run beyond the scenario and the trace. */
export interface CheckContext {
  dialect: Dialect;
  /** How long the kit waits for an answer (host role); the terminal's own response timeout (terminal role). */
  responseTimeoutMs: number;
  /** Terminal IDs the SUT has registered, the others must be refused (host role); the terminal under test's ID (terminal role). */
  registeredTerminals: readonly string[];
  /** Terminal role: the terminal's configured reversal attempts. Default the dialect's. */
  reversalAttempts?: number;
}

/** A property broke its contract (a check that throws, or returns something else than a `Judgement`): a suite of the user's own to fix. */
export class PropertyError extends Error {
  override readonly name = "PropertyError";
}

/**
 * What a property made of one trace: how many times its rule applied (each reversal of an
 * approved transaction it judged, each answer it compared), and the violations among them. A
 * rule that never applied has not been tested, whatever the violations say: the runner reports
 * such a property `untested`, never `pass`.
 */
export interface Judgement {
  judged: number;
  violations: Violation[];
}


/**
 * A property: a pure function of (scenario, trace, context), so a saved trace can be re-checked
 * offline. The ID is stable forever; reports, waivers and bug trackers refer to it.
 */
export interface Property {
  id: string;
  title: string;
  /** One sentence, "MUST …". */
  requirement: string;
  /** Where the rule comes from. */
  reference: string;
  role: "host" | "terminal";
  /** What one occasion of its rule is, in the plural ("reversals of approved transactions"), for "judged 12 …" and "no … ". */
  judges: string;
  /** Dialects it applies to (all when absent). */
  dialects?: readonly string[];
  /** What the SUT must be able to do for the rule to apply: against a SUT whose profile lacks it, the property is n/a. */
  needs?: Capability;
  /**
   * The part of the rule only the SUT's ledger shows (its settlement totals or its balances), as
   * "whether …": against a SUT whose profile has neither, that part is not judged, and a pass says so.
   */
  ledgerPart?: string;
  check(scenario: Scenario, trace: readonly TraceEvent[], ctx: CheckContext): Judgement;
  /**
   * The part of the rule that spans the whole run, against a SUT that keeps its state between
   * scenarios: values of a scenario's trace that no other scenario of the run may carry again (an
   * RRN). The runner compares them across the run's scenarios, and across the lanes that run at
   * once; a repeat fails the property with both scenarios named (not re-run nor shrunk: a replay
   * of one alone cannot show it).
   */
  acrossRun?(trace: readonly TraceEvent[], ctx: CheckContext): RunKey[];
}

/** One value `acrossRun` holds to the whole run: the value, the events that show it (a request and its answer), and what it belongs to. */
export interface RunKey {
  key: string;
  events: number[];
  /** For the message: `TERM0001's purchase STAN 000031`. */
  what: string;
}

/** A suite: properties grouped for one role, in catalogue order. */
export interface Suite {
  name: string;
  role: "host" | "terminal";
  properties: readonly Property[];
}
