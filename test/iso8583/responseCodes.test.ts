import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import data from "../../src/iso8583/responseCodes.json" with { type: "json" };
import { isApproval, responseCodeInfo, type ResponseCodeTable } from "../../src/iso8583/responseCodes.js";

/** The rows of docs/protocol-notes.md §2.6, the table a lab reads: code → meaning cell (English and Chinese) and category. */
function notesTable(): Map<string, { meaning: string; category: string }> {
  const notes = readFileSync(new URL("../../docs/protocol-notes.md", import.meta.url), "utf8");
  const section = notes.slice(notes.indexOf("### 2.6"), notes.indexOf("### 2.7"));
  const rows = new Map<string, { meaning: string; category: string }>();
  for (const m of section.matchAll(/^\| ([0-9A-Z]{2}) \| (.+) \| (\w+) \|$/gm)) rows.set(m[1], { meaning: m[2], category: m[3] });
  return rows;
}

const TABLES: ResponseCodeTable[] = ["iso87_cup", "iso93"];
const CATEGORIES = new Set(["approved", "decline", "retry", "system"]);
const KEYS = new Set(["code", "en", "zh", "category", "reversalReason", "notes"]);

describe("responseCodes", () => {
  it("is the table docs/protocol-notes.md §2.6 documents: every code, its meaning in English and Chinese, its category", () => {
    const rows = notesTable();
    assert.deepEqual([...rows.keys()], data.iso87_cup.map((e) => e.code), "the documented codes differ from the kit's");
    for (const [code, { meaning, category }] of rows) {
      const info = responseCodeInfo(code);
      assert.ok(info, `code ${code} is missing`);
      assert.equal(info.category, category, `${code}: the notes give category ${category}`);
      assert.ok(meaning.includes(info.en), `${code}: "${info.en}" is not in "${meaning}"`);
      if (info.zh !== undefined) assert.ok(meaning.includes(info.zh), `${code}: "${info.zh}" is not in "${meaning}"`);
      else assert.doesNotMatch(meaning, /[\u4e00-\u9fff]/, `${code}: the notes give Chinese text`);
    }
  });

  for (const table of TABLES) {
    describe(table, () => {
      const entries: { code: string; category: string }[] = data[table];

      it("has valid categories and only known keys", () => {
        for (const e of entries) {
          assert.ok(CATEGORIES.has(e.category), `${e.code}: category ${e.category}`);
          for (const key of Object.keys(e)) assert.ok(KEYS.has(key), `${e.code}: key ${key}`);
        }
      });

      it("has no duplicate codes", () => {
        const codes = entries.map((e) => e.code);
        assert.equal(new Set(codes).size, codes.length);
      });

      it("has codes of the table's shape", () => {
        const shape = table === "iso93" ? /^\d{3}$/ : /^[0-9A-Z]{2}$/;
        for (const e of entries) assert.match(e.code, shape);
      });
    });
  }

  it("knows the CUP codes the kit relies on", () => {
    assert.equal(responseCodeInfo("97")?.en, "Terminal not registered");
    assert.equal(responseCodeInfo("97")?.zh, "终端未登记");
    assert.equal(responseCodeInfo("94")?.en, "Duplicate transmission");
    assert.equal(responseCodeInfo("A0")?.category, "system");
  });

  it("marks exactly the reversal reasons of docs/protocol-notes.md §2.7", () => {
    const reasons = data.iso87_cup.filter((e) => "reversalReason" in e).map((e) => e.code);
    assert.deepEqual(reasons.sort(), ["06", "68", "98", "A0"]);
    assert.equal(responseCodeInfo("98")?.reversalReason, "no or incomplete response");
  });

  it("knows the ISO 8583:1993 action codes the kit relies on", () => {
    assert.equal(responseCodeInfo("000", "iso93")?.en, "Approved");
    assert.equal(responseCodeInfo("913", "iso93")?.en, "Duplicate transmission");
    assert.equal(responseCodeInfo("914", "iso93")?.en, "Not able to trace back to original transaction");
    assert.equal(responseCodeInfo("400", "iso93")?.category, "approved");
    assert.equal(responseCodeInfo("911", "iso93")?.category, "retry");
  });

  it("tells approvals from the rest", () => {
    for (const code of ["00", "10"]) assert.equal(isApproval(code), true, code);
    for (const code of ["05", "51", "94", "96", "98", "A0", "ZZ", "a2", ""]) assert.equal(isApproval(code), false, code);
    assert.equal(isApproval("000", "iso93"), true);
    assert.equal(isApproval("002", "iso93"), true);
    assert.equal(isApproval("100", "iso93"), false);
    assert.equal(isApproval("00", "iso93"), false);
  });

  it("looks codes up in the named table only", () => {
    assert.equal(responseCodeInfo("000"), undefined);
    assert.equal(responseCodeInfo("00", "iso93"), undefined);
  });
});
