import type { TransactionRules } from "../../iso8583/dialectTable.js";

/**
 * When the reference host declines a card request: documented, deterministic rules, so a test
 * or a generator can aim at each one. Amounts are in minor units (12.34 is 1234).
 *
 * | rule | operations | code |
 * |---|---|---|
 * | the host has a card table (`--cards`) and the card is not in it | balance, purchase, pre-auth, refund | do not honour (05) |
 * | the card table has a PIN for the card and field 52 does not carry it | balance, purchase, pre-auth | incorrect PIN (55; 05 where the dialect names no `incorrect_pin`) |
 * | the card table does not allow the operation for the card | balance, purchase, pre-auth, refund | invalid transaction (12) |
 * | the PAN ends in `05` | balance, purchase, pre-auth, refund | do not honour (05) |
 * | the amount is zero | purchase, pre-auth, refund, advice | invalid amount (13; 30 where the dialect names no such code) |
 * | the amount is above 10,000.00 (`TRANSACTION_LIMIT`) | purchase, pre-auth, refund, advice | exceeds limit (61) |
 * | the amount's last two digits are `51` (e.g. 12.51), and it is not the whole balance | purchase, pre-auth | insufficient funds (51) |
 * | the amount is above the card's available balance | purchase, pre-auth | insufficient funds (51) |
 *
 * The first rule that applies wins. Zero is no amount to approve (ISO 8583 response code 13,
 * invalid amount): the reference host's choice; the properties take any answer to it. The `51`
 * trigger spares the whole balance, which a correct host must not refuse for lack of funds
 * (H-BAL-1). An advice reports a purchase approved already: only the zero and limit rules apply to it. A card of the card table with a `balance` opens with it; any
 * other card's opening balance is 10,000.00 times one plus the
 * PAN's second-to-last digit (the last is the Luhn check digit): a PAN ending in `0x` starts
 * with 10,000.00, one ending in `9x` with 100,000.00. Purchases and pre-auths take from the
 * balance; refunds, voids and reversals give back.
 */

type CodeName = keyof TransactionRules["codes"];

export type CardOperation = "balance" | "purchase" | "preauth" | "refund" | "advice";

/** What a decline rule looks at. */
export interface CardRequest {
  op: CardOperation;
  pan: string;
  /** Minor units; 0 for a balance inquiry. */
  amount: number;
  /** The card's available balance before this request, in minor units. */
  available: number;
  /**
   * Where the host has a card table (`HostOptions.cards`): whether the card is in it, may be used
   * for `op`, and (a card with a PIN, on what a PIN is entered for) whether the PIN block is right.
   */
  table?: { known: boolean; allows: boolean; pin?: boolean };
}

export interface DeclineRule {
  id: string;
  /** Which of the dialect's response codes the decline carries. */
  code: CodeName;
  ops: readonly CardOperation[];
  description: string;
  applies(r: CardRequest): boolean;
}

/** The largest amount one purchase, pre-auth or refund may carry: 10,000.00. */
export const TRANSACTION_LIMIT = 1_000_000;

/** The opening balance per step of the PAN's second-to-last digit: 10,000.00. */
const BALANCE_STEP = 1_000_000;

export const DECLINE_RULES: readonly DeclineRule[] = [
  {
    id: "not-in-card-table",
    code: "do_not_honour",
    ops: ["balance", "purchase", "preauth", "refund"],
    description: "the host has a card table and the card is not in it",
    applies: (r) => r.table?.known === false,
  },
  {
    id: "wrong-pin",
    code: "incorrect_pin",
    ops: ["balance", "purchase", "preauth"],
    description: "the card table has a PIN for the card, and field 52 does not carry it (or is missing)",
    applies: (r) => r.table?.pin === false,
  },
  {
    id: "not-allowed-for-card",
    code: "invalid_transaction",
    ops: ["balance", "purchase", "preauth", "refund"],
    description: "the card table does not allow the operation for the card",
    applies: (r) => r.table?.allows === false,
  },
  {
    id: "pan-ends-05",
    code: "do_not_honour",
    ops: ["balance", "purchase", "preauth", "refund"],
    description: "the PAN ends in 05",
    applies: (r) => r.pan.endsWith("05"),
  },
  {
    id: "zero-amount",
    code: "invalid_amount",
    ops: ["purchase", "preauth", "refund", "advice"],
    description: "the amount is zero",
    applies: (r) => r.amount === 0,
  },
  {
    id: "above-limit",
    code: "exceeds_limit",
    // An advice too: one of the largest amount would take a balance past what field 54 can say.
    ops: ["purchase", "preauth", "refund", "advice"],
    description: "the amount is above 10,000.00",
    applies: (r) => r.amount > TRANSACTION_LIMIT,
  },
  {
    id: "amount-ends-51",
    code: "insufficient_funds",
    ops: ["purchase", "preauth"],
    description: "the amount ends in 51",
    applies: (r) => r.amount % 100 === 51 && r.amount !== r.available,
  },
  {
    id: "above-balance",
    code: "insufficient_funds",
    ops: ["purchase", "preauth"],
    description: "the amount is above the card's available balance",
    applies: (r) => r.amount > r.available,
  },
];

/** A card's balance before the host has seen it (see the table above). */
export function openingBalance(pan: string): number {
  const digit = Number(pan.at(-2));
  return (1 + (Number.isInteger(digit) ? digit : 0)) * BALANCE_STEP;
}

/** The code a rule declines with, in `codes`: an optional code the dialect lacks falls back to the format error. */
export const declineCode = (codes: TransactionRules["codes"], rule: DeclineRule): string => codes[rule.code] ?? (rule.code === "incorrect_pin" ? codes.do_not_honour : codes.format_error);

/** The rule that declines `r`, or undefined when none does. */
export function firstDecline(r: CardRequest): DeclineRule | undefined {
  return DECLINE_RULES.find((rule) => rule.ops.includes(r.op) && rule.applies(r));
}
