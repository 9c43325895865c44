import assert from "node:assert/strict";
import { ApprovalNumbers } from "../../../src/sim/host/approvalNumbers.js";

describe("approval numbers", () => {
  it("hands out 12-digit RRNs and 6-character authorisation codes, never twice", () => {
    const numbers = new ApprovalNumbers(999_999_999_990n);
    const rrns = new Set<string>();
    const auths = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const { rrn, auth } = numbers.next();
      assert.match(rrn, /^\d{12}$/);
      assert.match(auth, /^[0-9A-Z]{6}$/);
      rrns.add(rrn);
      auths.add(auth);
    }
    assert.equal(rrns.size, 50_000, "RRNs wrap past 999999999999 without repeating");
    assert.equal(auths.size, 50_000);
  });

  it("the same offset gives the same sequence", () => {
    const a = new ApprovalNumbers(42n);
    const b = new ApprovalNumbers(42n);
    assert.deepEqual([a.next(), a.next()], [b.next(), b.next()]);
  });
});
