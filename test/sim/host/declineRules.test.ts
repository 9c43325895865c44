import assert from "node:assert/strict";
import { type CardRequest, DECLINE_RULES, firstDecline, openingBalance, TRANSACTION_LIMIT } from "../../../src/sim/host/declineRules.js";

const request = (over: Partial<CardRequest>): CardRequest => ({ op: "purchase", pan: "6225880012345690", amount: 1000, available: 10_000_000, ...over });

describe("decline rules", () => {
  it("opening balances follow the PAN's second-to-last digit: 10,000.00 per step", () => {
    assert.equal(openingBalance("6225880012345601"), 1_000_000);
    assert.equal(openingBalance("6225880012345690"), 10_000_000);
    assert.equal(openingBalance("62258800123456x0"), 1_000_000, "a PAN without the digit gets the lowest balance");
  });

  it("each rule fires on what it documents, the first one winning", () => {
    const cases: [Partial<CardRequest>, string | undefined][] = [
      [{}, undefined],
      [{ pan: "6225880012345605" }, "pan-ends-05"],
      [{ pan: "6225880012345605", amount: 1251 }, "pan-ends-05"],
      [{ op: "balance", pan: "6225880012345605", amount: 0 }, "pan-ends-05"],
      [{ amount: TRANSACTION_LIMIT }, undefined],
      [{ amount: TRANSACTION_LIMIT + 1 }, "above-limit"],
      [{ op: "refund", amount: TRANSACTION_LIMIT + 1 }, "above-limit"],
      [{ amount: 1251 }, "amount-ends-51"],
      [{ op: "preauth", amount: 51 }, "amount-ends-51"],
      [{ op: "refund", amount: 1251 }, undefined],
      [{ amount: 5000, available: 4999 }, "above-balance"],
      [{ amount: 5000, available: 5000 }, undefined],
      [{ op: "refund", amount: 5000, available: 0 }, undefined],
      // A host with a card table: a card not in it, or an operation it does not allow, before any other rule.
      [{ table: { known: true, allows: true } }, undefined],
      [{ table: { known: false, allows: false }, amount: TRANSACTION_LIMIT + 1 }, "not-in-card-table"],
      [{ op: "refund", table: { known: true, allows: false }, pan: "6225880012345605" }, "not-allowed-for-card"],
      [{ table: { known: true, allows: true, pin: false } }, "wrong-pin"],
      [{ table: { known: true, allows: true, pin: true } }, undefined],
    ];
    for (const [over, id] of cases) assert.equal(firstDecline(request(over))?.id, id, JSON.stringify(over));
  });

  it("every rule carries one of the dialect's response code names", () => {
    const names = new Set(["do_not_honour", "exceeds_limit", "insufficient_funds", "invalid_transaction", "invalid_amount", "incorrect_pin"]);
    for (const rule of DECLINE_RULES) assert.ok(names.has(rule.code), rule.id);
  });
});
