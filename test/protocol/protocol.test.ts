import assert from "node:assert/strict";
import { BUILTIN_DIALECTS, builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { OPERATIONS } from "../../src/iso8583/dialectTable.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import {
  buildRequest,
  buildResponse,
  buildReversal,
  decodeTotals,
  encodeTotals,
  networkCodeOf,
  operationOf,
  requestKey,
  responseMismatches,
  reversedStan,
  settlementBalanced,
  settlementReply,
} from "../../src/protocol/index.js";

const now = new Date(Date.UTC(2026, 10, 26, 1, 30, 0));
const card = { pan: "6225880012345678", expiry: "2812", track2: "6225880012345678=28121010000" };
const original = { mti: "0200", stan: "000007", batch: "000001", date: "1126", transmission: "1126013000", rrn: "000000000123", auth: "A1B2C3" };
const totals = { debitCount: 3, debitAmount: 1500, creditCount: 1, creditAmount: 200 };

for (const name of BUILTIN_DIALECTS) {
  describe(`transaction rules: ${name}`, () => {
    const d = builtinDialect(name);
    const request = (op: (typeof OPERATIONS)[number]) =>
      buildRequest(d, { op, tid: "TERM0001", mid: "123456789012345", stan: "000042", batch: "000001", now, card, amount: "000000000500", original, totals });

    for (const op of OPERATIONS) {
      it(`${op}: the request packs, decodes back and is recognised as ${op}`, () => {
        const m = request(op);
        const back = unpack(d, pack(d, m));
        assert.deepEqual(back.fields, m.fields);
        assert.equal(operationOf(d, back.mti, back.fields["3"], networkCodeOf(d, back)), op);
      });

      it(`${op}: the response answers it, and a changed echo does not`, () => {
        const req = request(op);
        const resp = unpack(d, pack(d, buildResponse(d, req, { code: "00", fields: { "37": "000000000001", "38": "123456" } })));
        assert.deepEqual(responseMismatches(d, req, resp), []);
        const wrong = { ...resp, fields: { ...resp.fields, "11": "999999" } };
        assert.deepEqual(responseMismatches(d, req, wrong), [{ field: "11", expected: "000042", actual: "999999" }]);
      });
    }

    it("a reversal drops tracks, keeps the PAN, names its original and packs", () => {
      const purchase = request("purchase");
      const rev = buildReversal(d, purchase, "no_answer", { newStan: "000043", now });
      const back = unpack(d, pack(d, rev));
      assert.equal(back.mti, "0400");
      assert.equal(back.fields["39"], "98");
      assert.equal(back.fields["35"], undefined);
      assert.equal(back.fields["2"], card.pan);
      assert.equal(reversedStan(d, back), "000042");
      assert.equal(back.fields["11"], name === "cup" ? "000042" : "000043");
    });

    it("settlement totals round-trip and the reply says whether they balance", () => {
      const settle = request("settlement");
      assert.deepEqual(decodeTotals(d, settle), totals);
      assert.deepEqual(decodeTotals(d, { mti: "0500", fields: encodeTotals(d, totals) }), totals);
      for (const balanced of [true, false]) {
        const reply = buildResponse(d, settle, { code: "00", ...{ fields: settlementReply(d, settle, balanced) } });
        assert.equal(settlementBalanced(d, unpack(d, pack(d, reply))), balanced);
      }
    });

    it("the duplicate key ignores nothing that identifies a request", () => {
      const a = request("purchase");
      assert.equal(requestKey(d, a), requestKey(d, structuredClone(a)));
      assert.notEqual(requestKey(d, a), requestKey(d, { ...a, fields: { ...a.fields, "11": "000043" } }));
      assert.notEqual(requestKey(d, a), requestKey(d, { ...a, fields: { ...a.fields, "41": "TERM0002" } }));
    });
  });
}
