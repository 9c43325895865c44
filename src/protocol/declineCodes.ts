import type { Dialect } from "../iso8583/dialect.js";
import { Iso8583Error } from "../iso8583/errors.js";
import type { TransactionRules } from "../iso8583/dialectTable.js";
import { rulesOf } from "./rules.js";

/**
 * The declines a `code` fault answers with, as ISO 8583:1987 / CUP codes: terminal not registered
 * (97), system malfunction (96), duplicate (94), issuer inoperative (91), insufficient funds (51),
 * do not honour (05), invalid transaction (12), MAC error (A0). Each must be taken as a plain
 * decline. Each is named by its key in a dialect's `codes` table, where it has one.
 */
const DECLINES: readonly [code: string, key: Exclude<keyof TransactionRules["codes"], "invalid_amount" | "incorrect_pin"> | undefined][] = [
  ["97", "unknown_terminal"],
  ["96", "system_error"],
  ["94", "duplicate"],
  ["91", undefined],
  ["51", "insufficient_funds"],
  ["05", "do_not_honour"],
  ["12", "invalid_transaction"],
  ["A0", "mac_error"],
];

export const ISO87_DECLINE_CODES: readonly string[] = DECLINES.map(([code]) => code);

/**
 * The same declines in the dialect's own codes (`000`-style where its table says so); a decline
 * its table has no key for is kept only where field 39 has its length, so the answer encodes.
 */
export function declineCodes(dialect: Dialect): string[] {
  const codes = rulesOf(dialect).codes;
  const f39 = dialect.fields[39];
  const fits = (code: string) => {
    try {
      f39?.measure(code);
      return f39 !== undefined;
    } catch (e) {
      if (e instanceof Iso8583Error) return false; // not a code this field 39 can carry
      throw e;
    }
  };
  return DECLINES.flatMap(([code, key]) => (key !== undefined ? [codes[key]] : fits(code) ? [code] : []));
}
