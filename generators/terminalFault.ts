import fc from "fast-check";
import { malformedVariantSchema, type TerminalFault, type TerminalFaultKind } from "../src/scenario/scenario.js";
import { ISO87_DECLINE_CODES } from "../src/protocol/declineCodes.js";
import { CROSS_SHRINK } from "./shrinking.js";

/** Relative weights of each terminal-role fault; 0 turns one off. */
export type TerminalFaultWeights = Record<TerminalFaultKind, number>;

/** In shrinking order: a counterexample's fault moves towards `drop`, the plainest one. */
export const DEFAULT_TERMINAL_FAULT_WEIGHTS: Readonly<TerminalFaultWeights> = {
  drop: 4,
  late: 2,
  bad_mac: 4,
  wrong_stan: 2,
  wrong_tid: 2,
  wrong_amount: 2,
  wrong_mti: 2,
  code: 3,
  answer_twice: 2,
  malformed: 1,
  disconnect: 1,
  close: 1,
  split: 3,
  truncated_approval: 2,
};

/**
 * Faults that play with frame boundaries (an answer in two segments, twice in one, half of one):
 * off where the framing is `none`, which takes each read for one frame and so cannot carry them.
 */
export const TERMINAL_FAULTS_ACROSS_FRAMES: readonly TerminalFaultKind[] = ["split", "answer_twice", "disconnect"];

/** Response codes a `code` fault answers with by default (a run passes `declineCodes(dialect)`). */
export const DEFAULT_DECLINE_CODES: readonly string[] = ISO87_DECLINE_CODES;

const MALFORMED = malformedVariantSchema.options;

export interface TerminalFaultConstraints {
  weights?: Partial<TerminalFaultWeights>;
  /** Whether the dialect has a MAC (else no `bad_mac`). Default true. */
  withMac?: boolean;
  /** Codes for `code` faults. Default DEFAULT_DECLINE_CODES. */
  codes?: readonly string[];
  /** Most reversal answers a fault also drops: the terminal's reversal attempts. Default 3; 0 never drops one. */
  reversalDrops?: number;
}

/**
 * How the kit, as host, answers one request badly. Faults that leave the request without a
 * valid answer sometimes drop the answers to its reversal too (1 up to every attempt).
 */
export function terminalFault(c: TerminalFaultConstraints = {}): fc.Arbitrary<TerminalFault> {
  const w = { ...DEFAULT_TERMINAL_FAULT_WEIGHTS, ...c.weights };
  if (c.withMac === false) w.bad_mac = 0;
  const codes = c.codes ?? DEFAULT_DECLINE_CODES;
  if (codes.length === 0) w.code = 0;
  for (const [k, weight] of Object.entries(w)) if (!(weight >= 0)) throw new Error(`terminalFault: weight of ${k} must be >= 0, got ${weight}`);
  const kinds = (Object.entries(w) as [TerminalFaultKind, number][]).filter(([, weight]) => weight > 0);
  if (kinds.length === 0) throw new Error("terminalFault: every fault weight is 0");
  const maxDrops = c.reversalDrops ?? 3;
  if (!(Number.isInteger(maxDrops) && maxDrops >= 0)) throw new Error(`terminalFault: reversalDrops must be an integer >= 0, got ${maxDrops}`);
  const drops =
    maxDrops === 0
      ? fc.constant(undefined)
      : fc.oneof(CROSS_SHRINK, { weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: maxDrops }) });
  const kind = fc.oneof(CROSS_SHRINK, ...kinds.map(([k, weight]) => ({ weight, arbitrary: fc.constant(k) })));
  // Every draw takes a variant, a code and drops, used or not: the same seed gives the same faults.
  return fc.record({ kind, variant: fc.constantFrom(...MALFORMED), code: fc.constantFrom(...(codes.length > 0 ? codes : ["05"])), drops }).map(({ kind, variant, code, drops }): TerminalFault => {
    // A decline, a second copy of a good answer or a good answer in pieces leaves nothing to reverse.
    if (kind === "code") return { kind, code };
    if (kind === "answer_twice" || kind === "split") return { kind };
    const more = drops === undefined ? {} : { reversalDrops: drops };
    return kind === "malformed" ? { kind, variant, ...more } : { kind, ...more };
  });
}
