import fc from "fast-check";
import { cardMay, type HostFaultKind, type HostOperation, type HostScenario, type HostStep } from "../src/scenario/scenario.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { amountExtremes, profileOf, unsupportedOperations } from "../src/protocol/index.js";
import { amount, type AmountConstraints } from "./amount.js";
import { card, cardFor, type CardConstraints } from "./card.js";
import { hostFault, type HostFaultWeights } from "./fault.js";
import { CROSS_SHRINK } from "./shrinking.js";

export type OperationWeights = Record<HostOperation, number>;

export const DEFAULT_OPERATION_WEIGHTS: Readonly<OperationWeights> = {
  purchase: 8,
  balance: 2,
  void: 2,
  refund: 2,
  preauth: 1,
  echo: 1,
  signon: 1,
  // Left out where the SUT's profile takes no advices (unsupportedOperations).
  advice: 2,
};

export interface HostScenarioConstraints {
  /** Registered terminal IDs the kit may play (at least one). */
  terminals: readonly string[];
  /** Unregistered terminal IDs the kit may also play (may be empty). */
  unregistered?: readonly string[];
  /** Fewest steps in a scenario (default 1). */
  minSteps?: number;
  /** Most steps in a scenario (default 10). */
  maxSteps?: number;
  operations?: Partial<OperationWeights>;
  /** Operations the SUT's profile says it does not do (`unsupportedOperations`): never generated, whatever their weight. */
  leaveOut?: readonly string[];
  /** Chance that a step carries a fault, 0-1 (default 0.3). */
  faultRate?: number;
  faults?: Partial<HostFaultWeights>;
  /** Whether the dialect has a MAC (else no `bad_mac` faults). */
  withMac?: boolean;
  /** Whether the SUT's profile reports balances (else no `whole_balance` faults). */
  withBalances?: boolean;
  /** Amounts; `extremes` default to those of an n12 field 4 (`N12_EXTREMES`). */
  amounts?: AmountConstraints;
  cards?: CardConstraints;
}

const AMOUNT_OPS: ReadonlySet<HostOperation> = new Set(["purchase", "refund", "preauth", "advice"]);
const CARD_OPS: ReadonlySet<HostOperation> = new Set(["purchase", "refund", "preauth", "balance", "void", "advice"]);
/** Requests that spend from a card's balance: the only ones a `whole_balance` can aim at it. */
const SPENDING_OPS: ReadonlySet<HostOperation> = new Set(["purchase", "preauth"]);

/** Zero and the largest amount an n12 field 4 holds (ISO 8583:1987 data element 4): every built-in dialect's. */
export const N12_EXTREMES: readonly number[] = [0, 999_999_999_999];
/** Requests that carry field 4 (a void, its purchase's amount): the only ones a `hostile_amount` can spoil. */
const FIELD_4_OPS: ReadonlySet<HostOperation> = new Set([...AMOUNT_OPS, "void"]);

/** Whether a fault of `kind` does anything to a step of `op` (else the step goes without it). */
const fits = (kind: HostFaultKind, op: HostOperation) => (kind === "hostile_amount" ? FIELD_4_OPS.has(op) : kind === "whole_balance" ? SPENDING_OPS.has(op) : true);

/**
 * A whole scenario for a host under test. It shrinks towards fewer steps, fewer faults, the
 * first terminal and simpler amounts, so a counterexample reads as a short list of transactions.
 */
export function hostScenario(c: HostScenarioConstraints): fc.Arbitrary<HostScenario> {
  if (c.terminals.length === 0) throw new Error("hostScenario: needs at least one registered terminal");
  const rate = c.faultRate ?? 0.3;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`hostScenario: faultRate must be 0-1, got ${rate}`);
  const terminals = [...c.terminals, ...(c.unregistered ?? [])];
  const weights = { ...DEFAULT_OPERATION_WEIGHTS, ...c.operations };
  const ops = (Object.entries(weights) as [HostOperation, number][]).filter(([op, w]) => w > 0 && !c.leaveOut?.includes(op));
  if (ops.length === 0) throw new Error("hostScenario: every operation weight is 0");
  const perMille = Math.round(rate * 1000);
  // A pipelined request goes with an echo test: a SUT that does no echo gets none.
  const faults = c.leaveOut?.includes("echo") ? { ...c.faults, pipelined: 0 } : c.faults;

  const step: fc.Arbitrary<HostStep> = fc
    .record({
      op: fc.oneof(CROSS_SHRINK, ...ops.map(([op, weight]) => ({ weight, arbitrary: fc.constant(op) }))),
      // Registered terminals first: shrinking moves towards them.
      terminal: fc.oneof(CROSS_SHRINK, { weight: 9, arbitrary: fc.nat(c.terminals.length - 1) }, { weight: 1, arbitrary: fc.nat(terminals.length - 1) }),
      amount: amount({ extremes: N12_EXTREMES, ...c.amounts }),
      card: card(c.cards),
      // "No fault" first, so a shrunk step loses its fault unless the fault is what fails.
      fault: fc.oneof(
        CROSS_SHRINK,
        { weight: 1000 - perMille, arbitrary: fc.constant(undefined) },
        { weight: perMille, arbitrary: hostFault(faults, c.withMac ?? true, c.withBalances ?? false) },
      ),
    })
    .map(({ op, terminal, amount, card, fault }) => {
      const s: HostStep = { op, terminal };
      if (AMOUNT_OPS.has(op)) s.amount = amount;
      if (CARD_OPS.has(op)) s.card = cardFor(op, card, c.cards?.file);
      // A balance inquiry first needs a card the card file lets the kit ask the balance of.
      if (fault !== undefined && fits(fault.kind, op) && (fault.kind !== "whole_balance" || cardMay(s.card, "balance", c.cards?.file))) s.fault = fault;
      return s;
    });
  const minSteps = c.minSteps ?? 1;
  const maxSteps = c.maxSteps ?? 10;
  if (!(Number.isInteger(minSteps) && minSteps >= 1 && maxSteps >= minSteps)) throw new Error(`hostScenario: need 1 <= minSteps <= maxSteps, got ${minSteps} and ${maxSteps}`);
  // size "max": fast-check's default size caps arrays near minLength + 10, so a larger maxSteps
  // would have no effect; up to that cap the lengths drawn are the same as by default.
  return fc.array(step, { minLength: minSteps, maxLength: maxSteps, size: "max" }).map((steps) => ({ role: "host" as const, terminals, steps }));
}

/**
 * What a dialect and the SUT's profile set of a host scenario: the MAC faults, the balance faults,
 * the operations left out (an advice the SUT does not take), and field 4's extreme amounts.
 */
export function hostScenarioShape(dialect: Dialect): Pick<HostScenarioConstraints, "withMac" | "withBalances" | "leaveOut" | "amounts"> {
  return {
    withMac: dialect.table.mac !== null,
    withBalances: profileOf(dialect).balances === "inquiry",
    leaveOut: unsupportedOperations(dialect),
    amounts: { extremes: amountExtremes(dialect) },
  };
}
