import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { type Dialect, loadDialect } from "../../src/iso8583/dialect.js";
import type { SutProfileTable } from "../../src/iso8583/dialectTable.js";
import { type HostBug, hostBugNeeds } from "../../src/sim/host/bugs.js";

/** A built-in dialect under another name, with a SUT profile in its transactions block, loaded as a user's file would be. */
export function profiledDialect(base: string, name: string, profile: SutProfileTable | Record<string, unknown>): Dialect {
  const t = structuredClone(builtinDialect(base).table) as { dialect: string; transactions: { profile?: unknown } };
  t.dialect = name;
  t.transactions.profile = profile;
  return loadDialect(t, `${name}.json`);
}

/** CUP whose host reports balances (field 54 of a balance inquiry): where the seeded bugs that need balances show. */
export const CUP_WITH_BALANCES = profiledDialect("cup", "cup-balances", { balances: "inquiry" });

/** The dialect to find a seeded bug under: CUP, or CUP with balances for a bug only balances show. */
export const dialectFor = (bug: HostBug): Dialect => (hostBugNeeds(bug) === "balances" ? CUP_WITH_BALANCES : builtinDialect("cup"));
