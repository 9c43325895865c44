import fc from "fast-check";
import type { TerminalFault, TerminalOperation, TerminalScenario, TerminalStep } from "../src/scenario/scenario.js";
import { amount, type AmountConstraints } from "./amount.js";
import { card, cardFor, type CardConstraints } from "./card.js";
import { CROSS_SHRINK } from "./shrinking.js";
import { terminalFault, type TerminalFaultWeights } from "./terminalFault.js";

export type TerminalOperationWeights = Record<TerminalOperation, number>;

/** In shrinking order: a counterexample's steps move towards purchases. */
export const DEFAULT_TERMINAL_OPERATION_WEIGHTS: Readonly<TerminalOperationWeights> = {
  purchase: 8,
  balance: 2,
  void: 2,
  refund: 2,
  settlement: 2,
  signon: 1,
  restart: 2,
};

export interface TerminalScenarioConstraints {
  /** Fewest steps (default 1). */
  minSteps?: number;
  /** Most steps (default 8). */
  maxSteps?: number;
  operations?: Partial<TerminalOperationWeights>;
  /** Operations the SUT's profile says it does not do (`unsupportedOperations`): never generated, whatever their weight. */
  leaveOut?: readonly string[];
  /** Chance that a step carries a fault, 0-1 (default 0.35). */
  faultRate?: number;
  faults?: Partial<TerminalFaultWeights>;
  /** Whether the dialect has a MAC (else no `bad_mac` faults). Default true. */
  withMac?: boolean;
  /** Whether the control adapter can restart the terminal (else no `restart` steps). Default true. */
  restart?: boolean;
  /** The terminal's reversal attempts: the most reversal answers a fault drops. Default 3. */
  reversalAttempts?: number;
  /** Response codes for `code` faults. */
  codes?: readonly string[];
  /**
   * Default up to 15,000.00: the kit's host declines above 10,000.00, so most purchases are
   * approved (and a fault can spoil an approval) and some are declined.
   */
  amounts?: AmountConstraints;
  cards?: CardConstraints;
}

const DEFAULT_TERMINAL_AMOUNTS: AmountConstraints = { max: 1_500_000 };

const AMOUNT_OPS: ReadonlySet<TerminalOperation> = new Set(["purchase", "refund"]);
const CARD_OPS: ReadonlySet<TerminalOperation> = new Set(["purchase", "balance", "refund"]);
/** Operations whose answer carries the amount (field 4) to echo wrongly. */
const ECHOES_AMOUNT: ReadonlySet<TerminalOperation> = new Set(["purchase", "void", "refund"]);
/** Operations whose answer carries a MAC to corrupt: the financial ones (`macRequired`). */
const MACED: ReadonlySet<TerminalOperation> = new Set(["purchase", "balance", "void", "refund"]);
/** Reversible operations (docs/protocol-notes.md §2.7.1): only their faults can leave a reversal whose answers to drop. */
const REVERSIBLE: ReadonlySet<TerminalOperation> = new Set(["purchase", "void"]);

/** The fault as it can apply to `op`: none for a restart, none that would inject nothing. */
function faultFor(op: TerminalOperation, f: TerminalFault | undefined): TerminalFault | undefined {
  if (f === undefined || op === "restart") return undefined;
  if (f.kind === "wrong_amount" && !ECHOES_AMOUNT.has(op)) return undefined;
  if (f.kind === "bad_mac" && !MACED.has(op)) return undefined;
  if ("reversalDrops" in f && f.reversalDrops !== undefined && !REVERSIBLE.has(op)) {
    const { reversalDrops: _, ...rest } = f;
    return rest;
  }
  return f;
}

/**
 * A whole scenario for a terminal under test: what the kit asks the terminal to do, step by
 * step, and how it answers each step's request. It shrinks towards fewer steps, no faults,
 * purchases and simpler amounts, so a counterexample reads as a short list of transactions:
 * `purchase(5.00)+drop`, `purchase(1.00)`.
 */
export function terminalScenario(c: TerminalScenarioConstraints = {}): fc.Arbitrary<TerminalScenario> {
  const rate = c.faultRate ?? 0.35;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`terminalScenario: faultRate must be 0-1, got ${rate}`);
  const weights = { ...DEFAULT_TERMINAL_OPERATION_WEIGHTS, ...c.operations };
  if (c.restart === false) weights.restart = 0;
  const ops = (Object.entries(weights) as [TerminalOperation, number][]).filter(([op, w]) => w > 0 && !c.leaveOut?.includes(op));
  if (ops.length === 0) throw new Error("terminalScenario: every operation weight is 0");
  const minSteps = c.minSteps ?? 1;
  const maxSteps = c.maxSteps ?? 8;
  if (!(Number.isInteger(minSteps) && minSteps >= 1 && maxSteps >= minSteps)) throw new Error(`terminalScenario: need 1 <= minSteps <= maxSteps, got ${minSteps} and ${maxSteps}`);
  const perMille = Math.round(rate * 1000);
  const fault = terminalFault({ weights: c.faults, withMac: c.withMac, codes: c.codes, reversalDrops: c.reversalAttempts ?? 3 });

  const step: fc.Arbitrary<TerminalStep> = fc
    .record({
      op: fc.oneof(CROSS_SHRINK, ...ops.map(([op, weight]) => ({ weight, arbitrary: fc.constant(op) }))),
      amount: amount(c.amounts ?? DEFAULT_TERMINAL_AMOUNTS),
      card: card(c.cards),
      // "No fault" first, so a shrunk step loses its fault unless the fault is what fails.
      fault: fc.oneof(CROSS_SHRINK, { weight: 1000 - perMille, arbitrary: fc.constant(undefined) }, { weight: perMille, arbitrary: fault }),
    })
    .map(({ op, amount, card, fault }) => {
      const s: TerminalStep = { op };
      if (AMOUNT_OPS.has(op)) s.amount = amount;
      if (CARD_OPS.has(op)) s.card = cardFor(op, card, c.cards?.file);
      const f = faultFor(op, fault);
      if (f !== undefined) s.fault = f;
      return s;
    });
  // size "max", as for host scenarios: a maxSteps above fast-check's default cap takes effect.
  return fc.array(step, { minLength: minSteps, maxLength: maxSteps, size: "max" }).map((steps): TerminalScenario => ({ role: "terminal", steps }));
}
