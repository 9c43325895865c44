import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { loadDialect } from "../../src/iso8583/dialect.js";
import { declineCodes, ISO87_DECLINE_CODES } from "../../src/protocol/declineCodes.js";

describe("declineCodes: the code fault's declines in the dialect's own codes", () => {
  it("the ISO 8583:1987 list, as is, for a dialect whose codes are the standard's", () => {
    assert.deepEqual(declineCodes(builtinDialect("cup")), ["97", "96", "94", "91", "51", "05", "12", "A0"]);
    assert.deepEqual(declineCodes(builtinDialect("cup")), [...ISO87_DECLINE_CODES]);
  });

  it("3-character codes: each through its key in the table; 91, which has no key and no room in field 39, is left out", () => {
    const t = structuredClone(builtinDialect("iso87ascii").table) as any;
    t.fields = t.fields.map((f: { number: number }) => (f.number === 39 ? { ...f, max_length: 3 } : f));
    const widen = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.padStart(3, "0")]));
    t.transactions.codes = widen(t.transactions.codes);
    t.transactions.reversal.reasons = widen(t.transactions.reversal.reasons);
    assert.deepEqual(declineCodes(loadDialect(t)), ["097", "096", "094", "051", "005", "012", "0A0"]);
  });

  it("a one-byte BCD field 39: the table's own MAC-error code, and 91, which fits", () => {
    const t = structuredClone(builtinDialect("iso87binary").table) as any;
    t.fields = t.fields.map((f: { number: number }) => (f.number === 39 ? { ...f, content: "n", data_encoding: "bcd", length_unit: "digits", pad: { side: "left", char: "0" } } : f));
    t.transactions.codes.mac_error = "63";
    t.transactions.reversal.reasons.bad_mac = "63";
    assert.deepEqual(declineCodes(loadDialect(t)), ["97", "96", "94", "91", "51", "05", "12", "63"]);
  });
});
