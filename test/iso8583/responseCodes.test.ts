import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import data from "../../src/iso8583/responseCodes.json" with { type: "json" };
import { isApproval, responseCodeInfo, type ResponseCodeTable } from "../../src/iso8583/responseCodes.js";

/** The rows of PROTOCOL-NOTES §2.6: code → the meaning cell, English and Chinese. */
function notesTable(): Map<string, string> {
  const notes = readFileSync(new URL("../../../shared/docs/PROTOCOL-NOTES.md", import.meta.url), "utf8");
  const section = notes.slice(notes.indexOf("### 2.6"), notes.indexOf("### 2.7"));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| ([0-9A-Z]{2}) \| (.+) \|$/gm)) rows.set(m[1], m[2]);
  return rows;
}

const TABLES: ResponseCodeTable[] = ["iso87_cup", "iso93"];
const CATEGORIES = new Set(["approved", "decline", "retry", "system"]);
const KEYS = new Set(["code", "en", "zh", "category", "reversalReason", "notes"]);

describe("responseCodes", () => {
  it("lists every code of PROTOCOL-NOTES §2.6 with its English and Chinese meaning", () => {
    const rows = notesTable();
    assert.ok(rows.size >= 40, `found only ${rows.size} rows in §2.6`);
    for (const [code, meaning] of rows) {
      const info = responseCodeInfo(code);
      assert.ok(info, `code ${code} is missing`);
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

  it("marks exactly the reversal reasons of PROTOCOL-NOTES §2.7", () => {
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
