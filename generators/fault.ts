import fc from "fast-check";
import { type HostFault, type HostFaultKind, hostileAmountVariantSchema, hostMalformedVariantSchema } from "../src/scenario/scenario.js";

/** Relative weights of each host-role fault; 0 turns one off. */
export type HostFaultWeights = Record<HostFaultKind, number>;

export const DEFAULT_HOST_FAULT_WEIGHTS: Readonly<HostFaultWeights> = {
  drop: 4,
  duplicate: 3,
  bad_mac: 2,
  malformed: 2,
  disconnect: 1,
  reverse_twice: 2,
  reverse_unknown: 1,
  split: 2,
  pipelined: 2,
  hostile_amount: 2,
  race_duplicate: 2,
  race_reversal: 3,
  // Only where the SUT reports balances (hostFault's withBalances); 3, as it meets a correct host's limit often.
  whole_balance: 3,
};

/**
 * Faults that play with frame boundaries (a request in two segments, two in one, half of one, a
 * frame sent twice without a wait): off where the framing is `none`, which takes each read for
 * one frame and so cannot carry them; the race faults too where one link carries every terminal.
 */
export const HOST_FAULTS_ACROSS_FRAMES: readonly HostFaultKind[] = ["split", "pipelined", "disconnect", "duplicate"];
export const HOST_RACES_ON_ONE_LINK: readonly HostFaultKind[] = ["race_duplicate", "race_reversal"];

/** The variants each fault with one draws from; the first is where shrinking goes. */
const VARIANTS = { malformed: hostMalformedVariantSchema.options, hostile_amount: hostileAmountVariantSchema.options } as const;

/**
 * A fault for one step. Weights pick the kind; `bad_mac` is left out where the dialect has no
 * MAC (`withMac: false`), and `whole_balance` where the SUT reports no balance to spend
 * (`withBalances: false`), since they would inject nothing.
 */
export function hostFault(weights: Partial<HostFaultWeights> = {}, withMac = true, withBalances = false): fc.Arbitrary<HostFault> {
  const w = { ...DEFAULT_HOST_FAULT_WEIGHTS, ...weights };
  if (!withMac) w.bad_mac = 0;
  if (!withBalances) w.whole_balance = 0;
  // Checked before the zeros are dropped: a negative weight is a mistake, not a way to turn a fault off.
  for (const [k, weight] of Object.entries(w)) if (!(weight >= 0)) throw new Error(`hostFault: weight of ${k} must be >= 0, got ${weight}`);
  const kinds = (Object.entries(w) as [HostFaultKind, number][]).filter(([, weight]) => weight > 0);
  if (kinds.length === 0) throw new Error("hostFault: every fault weight is 0");
  return fc.oneof(
    ...kinds.map(([kind, weight]) => ({
      weight,
      arbitrary: kind === "malformed" || kind === "hostile_amount" ? fc.constantFrom(...VARIANTS[kind]).map((variant) => ({ kind, variant }) as HostFault) : fc.constant<HostFault>({ kind }),
    })),
  );
}
