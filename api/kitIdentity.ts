import { keyCheckValue } from "../src/iso8583/mac.js";
import { DEFAULT_TMK, MERCHANT_ID, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../src/sim/defaults.js";
import type { TerminalConfig } from "../src/sim/host/hostOptions.js";
import { UsageError } from "./usageError.js";

/**
 * What the kit and the SUT must agree on before a run: the terminal IDs the host has registered
 * (the kit plays them; a terminal under test is the first), one it has not (for the
 * unknown-terminal property), the merchant, and the terminal master key the sign-on's working
 * keys travel under. The built-in simulators' values by default.
 */
export interface KitIdentity {
  terminals: string[];
  unregistered: string;
  merchant: string;
  tmk: Buffer;
  /** The key check value: what outputs show of the key, so a replay can tell it has the right one. */
  tmkKcv: string;
}

export function kitIdentity(o: { terminals?: string[]; unregistered?: string; merchant?: string; tmk?: string }): KitIdentity {
  const terminals = o.terminals ?? [...REGISTERED_TERMINALS];
  const unregistered = o.unregistered ?? UNREGISTERED_TERMINAL;
  if (new Set(terminals).size !== terminals.length) throw new UsageError(`--terminals names a terminal twice: ${terminals.join(" ")}`);
  if (terminals.includes(unregistered)) throw new UsageError(`--unregistered ${unregistered} is one of --terminals: it must be a terminal the host does not know`);
  const tmk = Buffer.from(o.tmk ?? DEFAULT_TMK, "hex");
  return { terminals, unregistered, merchant: o.merchant ?? MERCHANT_ID, tmk, tmkKcv: kcvOf(tmk) };
}

/** The key check value as key ceremonies quote it: the first three bytes, in hex. */
export const kcvOf = (key: Buffer): string => keyCheckValue(key).subarray(0, 3).toString("hex").toUpperCase();

/** The registry the built-in reference host needs to know the kit's terminals. */
export const registryOf = (k: Pick<KitIdentity, "terminals" | "merchant" | "tmk">): TerminalConfig[] => k.terminals.map((tid) => ({ tid, mid: k.merchant, tmk: k.tmk.toString("hex").toUpperCase() }));
