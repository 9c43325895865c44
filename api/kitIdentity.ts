import type { Dialect } from "../src/iso8583/dialect.js";
import { Iso8583Error } from "../src/iso8583/errors.js";
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

export function kitIdentity(o: { terminals?: string[]; unregistered?: string; merchant?: string; tmk?: string }, dialect: Dialect): KitIdentity {
  const terminals = o.terminals ?? [...REGISTERED_TERMINALS];
  const unregistered = o.unregistered ?? UNREGISTERED_TERMINAL;
  const merchant = o.merchant ?? MERCHANT_ID;
  for (const tid of terminals) fitsDialect(dialect, "41", tid, "--terminals");
  fitsDialect(dialect, "41", unregistered, "--unregistered");
  fitsDialect(dialect, "42", merchant, "--merchant");
  if (new Set(terminals).size !== terminals.length) throw new UsageError(`--terminals names a terminal twice: ${terminals.join(" ")}`);
  if (terminals.includes(unregistered)) throw new UsageError(`--unregistered ${unregistered} is one of --terminals: it must be a terminal the host does not know`);
  const tmk = Buffer.from(o.tmk ?? DEFAULT_TMK, "hex");
  return { terminals, unregistered, merchant, tmk, tmkKcv: kcvOf(tmk) };
}

/**
 * Refuses an ID that field 41 or 42 of the dialect cannot carry, before anything runs: one line
 * naming the value, the field and its record, and the flag that sets it.
 */
export function fitsDialect(dialect: Dialect, field: "41" | "42", value: string, flag: string): void {
  const codec = dialect.fieldsByKey[field];
  if (codec === undefined) throw new UsageError(`${dialect.source}: dialect ${dialect.name} defines no field ${field}, which the kit's requests carry`);
  try {
    codec.measure(value);
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    const at = dialect.table.fields.findIndex((f) => f.number === Number(field));
    throw new UsageError(`${JSON.stringify(value)} does not fit field ${field} of dialect ${dialect.name} (fields[${at}]: ${e.reason}): give ${flag} to match the dialect`);
  }
}

/** The key check value as key ceremonies quote it: the first three bytes, in hex. */
export const kcvOf = (key: Buffer): string => keyCheckValue(key).subarray(0, 3).toString("hex").toUpperCase();

/** The registry the built-in reference host needs to know the kit's terminals. */
export const registryOf = (k: Pick<KitIdentity, "terminals" | "merchant" | "tmk">): TerminalConfig[] => k.terminals.map((tid) => ({ tid, mid: k.merchant, tmk: k.tmk.toString("hex").toUpperCase() }));
