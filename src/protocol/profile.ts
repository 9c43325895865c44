import type { Dialect } from "../iso8583/dialect.js";
import type { RequestOperation } from "../iso8583/dialectTable.js";
import { adviceRule, rulesOf } from "./rules.js";

/** The SUT's profile with its defaults filled in (the dialect table's `transactions.profile`). */
export interface SutProfile {
  /** `host`: the host sends its own sign-on down each new link, and the kit answers it. */
  signOn: "kit" | "none" | "host";
  /** Network requests the SUT starts that the kit answers (approved); any other it leaves unanswered. */
  answers: readonly HostRequest[];
  /** Whether a swiped card's request carries the PAN in field 2 as well as track 2. */
  field2: "always" | "keyed";
  settlement: "totals" | "none";
  /** `inquiry`: the kit reads each card's balance (field 54 of a balance inquiry's answer) before and after the steps. */
  balances: "none" | "inquiry";
  /** `shared`: one connection carries every terminal the kit plays. */
  links: "per_terminal" | "shared";
  /** `accepts`: the kit sends advices (the dialect's `advice` operation) and repeats them. */
  advices: "none" | "accepts";
  /** `unique`: authorisation codes (field 38) are judged unique per approval, as RRNs are; `any` by default. */
  authCodes: "any" | "unique";
}

/** A network request the SUT starts: an operation of the dialect, or one named by MTI and network code (a key exchange). */
export type HostRequest = "signon" | "echo" | { name: string; mti: string; network_code: string; working_keys?: string };

/** What a SUT may lack, by the profile key that says so; a property that `needs` one is n/a without it. */
export type Capability = "settlement" | "balances";

/** Per dialect, read once: requests are built with it on every message's path. */
const profiles = new WeakMap<Dialect, SutProfile>();

export function profileOf(dialect: Dialect): SutProfile {
  let profile = profiles.get(dialect);
  if (profile === undefined) profiles.set(dialect, (profile = readProfile(dialect)));
  return profile;
}

function readProfile(dialect: Dialect): SutProfile {
  const rules = rulesOf(dialect);
  const p = rules.profile;
  const signOn = p?.sign_on ?? "kit";
  return {
    signOn,
    answers: p?.answers ?? (signOn === "host" ? ["signon", "echo"] : []),
    // CUP terminals send field 2 with swiped cards too, so a reversal can carry the PAN.
    field2: p?.field_2 ?? (rules.style === "cup" ? "always" : "keyed"),
    settlement: p?.settlement ?? "totals",
    balances: p?.balances ?? "none",
    links: p?.links ?? "per_terminal",
    // No advice without an MTI for it: a profile cannot accept what the dialect does not define.
    advices: adviceRule(dialect) === undefined ? "none" : (p?.advices ?? "accepts"),
    authCodes: p?.auth_codes ?? "any",
  };
}

/** Whether the SUT has `capability`, as its profile says. */
export function hasCapability(dialect: Dialect, capability: Capability): boolean {
  const p = profileOf(dialect);
  return capability === "settlement" ? p.settlement !== "none" : p.balances !== "none";
}

/**
 * Operations a scenario must not ask of this SUT: a sign-on it does not need or makes itself, a
 * settlement it does not have, an advice it does not take.
 */
export function unsupportedOperations(dialect: Dialect): RequestOperation[] {
  const p = profileOf(dialect);
  return [
    ...(p.signOn !== "kit" ? (["signon"] as const) : []),
    ...(p.settlement === "none" ? (["settlement"] as const) : []),
    ...(p.advices === "none" ? (["advice"] as const) : []),
  ];
}
