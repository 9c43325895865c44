import type { Dialect } from "../iso8583/dialect.js";
import type { Operation } from "../iso8583/dialectTable.js";
import { rulesOf } from "./rules.js";

/** The SUT's profile with its defaults filled in (the dialect table's `transactions.profile`). */
export interface SutProfile {
  signOn: "kit" | "none";
  settlement: "totals" | "none";
  /** `inquiry`: the kit reads each card's balance (field 54 of a balance inquiry's answer) before and after the steps. */
  balances: "none" | "inquiry";
  /** `shared`: one connection carries every terminal the kit plays. */
  links: "per_terminal" | "shared";
}

/** What a SUT may lack, by the profile key that says so; a property that `needs` one is n/a without it. */
export type Capability = "settlement" | "balances";

export function profileOf(dialect: Dialect): SutProfile {
  const p = rulesOf(dialect).profile;
  return { signOn: p?.sign_on ?? "kit", settlement: p?.settlement ?? "totals", balances: p?.balances ?? "none", links: p?.links ?? "per_terminal" };
}

/** Whether the SUT has `capability`, as its profile says. */
export function hasCapability(dialect: Dialect, capability: Capability): boolean {
  const p = profileOf(dialect);
  return capability === "settlement" ? p.settlement !== "none" : p.balances !== "none";
}

/** Operations a scenario must not ask of this SUT: a sign-on it does not need, a settlement it does not have. */
export function unsupportedOperations(dialect: Dialect): Operation[] {
  const p = profileOf(dialect);
  return [...(p.signOn === "none" ? (["signon"] as const) : []), ...(p.settlement === "none" ? (["settlement"] as const) : [])];
}
