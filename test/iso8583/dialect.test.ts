import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDialect, BUILTIN_DIALECTS, resolveDialect } from "../../src/iso8583/builtinDialects.js";
import { DialectError, loadDialect } from "../../src/iso8583/dialect.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";

/** A copy of a built-in table with one change, as a user makes a variant. */
function variant(name: string, change: (t: any) => void): unknown {
  const t = structuredClone(builtinDialect(name).table);
  change(t);
  return t;
}

function loadFails(table: unknown, pattern: RegExp) {
  assert.throws(() => loadDialect(table, "my.json"), (e: unknown) => {
    assert.ok(e instanceof DialectError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe("dialects", () => {
  it("lists the three built-in dialects", () => {
    assert.deepEqual([...BUILTIN_DIALECTS].sort(), ["cup", "iso87ascii", "iso87binary"]);
  });

  it("names the known dialects when asked for an unknown one", () => {
    assert.throws(() => builtinDialect("visa"), /unknown dialect "visa": built-in dialects are cup, iso87ascii, iso87binary/);
  });

  it("a variant made by changing one key works: field 41 as 16 characters", () => {
    const d = loadDialect(variant("iso87ascii", (t) => (t.fields.find((f: any) => f.number === 41).max_length = 16)));
    const m = { mti: "0800", fields: { "41": "TERMINAL00000001" } };
    assert.deepEqual(unpack(d, pack(d, m)), m);
  });

  it("an ISO 8583:1993 variant takes 1xxx MTIs and 3-digit action codes, and refuses 1987 MTIs", () => {
    const d = loadDialect(
      variant("iso87ascii", (t) => {
        t.iso_version = 1993;
        t.response_codes = "iso93";
        t.fields.find((f: any) => f.number === 39).max_length = 3;
        // Its transactions move to 1993 MTIs and 3-digit codes too, or the dialect is refused (see below).
        const widen = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.padStart(3, "0")]));
        t.transactions.codes = widen(t.transactions.codes);
        t.transactions.reversal.reasons = widen(t.transactions.reversal.reasons);
        t.transactions.reversal.mti = "1420";
        for (const op of Object.values(t.transactions.operations) as any[]) {
          op.mti = `1${op.mti.slice(1)}`;
          if (op.repeat_mti !== undefined) op.repeat_mti = `1${op.repeat_mti.slice(1)}`;
        }
      }),
    );
    const m = { mti: "1210", fields: { "11": "000001", "39": "000", "41": "TERM0001" } };
    assert.deepEqual(unpack(d, pack(d, m)), m);
    assert.throws(() => pack(d, { mti: "0210", fields: {} }), /MTI does not start with the ISO 8583:1993 version digit/);
  });

  it("loads a dialect file by path and reports unreadable ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-dialect-"));
    const file = join(dir, "mine.json");
    writeFileSync(file, JSON.stringify(builtinDialect("cup").table));
    assert.equal(resolveDialect(file).name, "cup");
    writeFileSync(file, "{ not json");
    assert.throws(() => resolveDialect(file), /mine\.json: not valid JSON/);
    assert.throws(() => resolveDialect(join(dir, "missing.json")), /missing\.json: cannot read the dialect file \(ENOENT\)/);
  });

  // Each broken table names the key a user must fix.
  const broken: [string, string, (t: any) => void, RegExp][] = [
    ["an unknown data encoding", "cup", (t) => (t.fields[0].data_encoding = "ebcdic"), /fields\[0\] \(field 2\)\.data_encoding: Invalid option: expected one of "ascii"\|"bcd"\|"binary"/],
    ["an unknown key", "cup", (t) => (t.fields[1].lenght = 3), /fields\[1\] \(field 3\): Unrecognized key: "lenght"/],
    ["a prefix width that does not fit", "iso87ascii", (t) => (t.fields[0].length_prefix_bytes = 3), /field 2\)\.length_prefix_bytes: LL in ascii takes 2 byte\(s\), got 3/],
    ["a max above the prefix", "iso87ascii", (t) => (t.fields[0].max_length = 100), /field 2\)\.max_length: 100 does not fit a LL ascii prefix/],
    ["a BCD field without pad", "cup", (t) => (t.fields[0].pad = null), /field 2\)\.pad: a bcd field counting digits needs a pad/],
    ["a fixed field with a prefix", "cup", (t) => (t.fields[1].length_prefix_bytes = 1), /field 3\): a fixed field has length_prefix_encoding and length_prefix_bytes null/],
    ["a field twice", "cup", (t) => t.fields.push(t.fields[0]), /field 2 is defined twice/],
    ["a field above 64 without a secondary bitmap", "cup", (t) => t.fields.push({ ...t.fields[1], number: 70 }), /fields above 64 need bitmap.secondary_bitmap true/],
    ["a default header of the wrong size", "cup", (t) => (t.header.default = "60"), /header.default: expected 22 hex characters/],
    ["a missing mti", "cup", (t) => delete t.mti, /^my\.json: mti: /],
    // The operations table: each request in its MTI class, and no two operations alike.
    ["a purchase on the sign-on's MTI", "cup", (t) => (t.transactions.operations.purchase.mti = "0800"), /transactions\.operations\.purchase\.mti: 0800 is not an MTI class purchase can be sent in \(its second digit must be 1 or 2\)/],
    ["a settlement that is a financial request", "cup", (t) => (t.transactions.operations.settlement.mti = "0200"), /operations\.settlement\.mti: 0200 .*must be 5/],
    ["a response MTI as a request", "iso87ascii", (t) => (t.transactions.operations.purchase.mti = "0210"), /operations\.purchase\.mti: 0210 is not a request \(its third digit must be 0 or 2\)/],
    ["a reversal outside class 4", "cup", (t) => (t.transactions.reversal.mti = "0200"), /transactions\.reversal\.mti: 0200 is not a reversal/],
    ["1993 MTIs in a 1987 dialect", "cup", (t) => (t.transactions.operations.preauth.mti = "1100"), /operations\.preauth\.mti: 1100 is not an ISO 8583:1987 MTI/],
    ["two operations nothing tells apart", "iso87ascii", (t) => (t.transactions.operations.void.processing_code = "000000"), /transactions\.operations\.void: MTI 0200 is purchase's too, and no processing_code or network_code tells them apart/],
    ["a BCD field counting bytes filled with a digit", "iso87binary", (t) => Object.assign(t.fields.find((f: any) => f.number === 35), { length_unit: "bytes", pad: { side: "right", char: "0" } }), /field 35\)\.pad: a bcd field counting bytes fills an odd digit count with a nibble that is no digit \(F\), got 0/],
    // Keys the codec and the kit decide for themselves: a table that disagrees is refused, not ignored.
    ["a bitmap size its encoding does not have", "iso87binary", (t) => (t.bitmap.bytes_per_bitmap = 16), /bitmap\.bytes_per_bitmap: a binary bitmap is 8 bytes, got 16/],
    ["a refund that debits", "cup", (t) => (t.transactions.operations.refund.effect = "debit"), /operations\.refund\.effect: debit is not what isoconf does with a refund, which counts as a credit/],
    ["a balance inquiry with an effect", "cup", (t) => (t.transactions.operations.balance.effect = "debit"), /operations\.balance\.effect: debit is not what isoconf does with a balance, which leaves the totals alone/],
    ["a sign-on and an echo without network codes", "iso87ascii", (t) => delete t.transactions.operations.echo.network_code, /operations\.echo: MTI 0800 is signon's too/],
    ["a key exchange whose working keys are in a field the dialect lacks", "cup", (t) => (t.transactions.profile = { answers: [{ name: "key exchange", mti: "0800", network_code: "101", working_keys: "99" }] }), /transactions\.profile\.answers\[0\]\.working_keys: the dialect defines no field 99/],
    ["stx-etx framing over binary parts", "cup", (t) => (t.framing = "stx-etx"), /framing: stx-etx delimits frames with control bytes and carries text only, and the header, the MTI \(bcd\), the bitmap \(binary\), field 2 and \d+ more fields of dialect cup may hold any byte: use a length framing/],
    // The MAC is a message's last field: iso87 voids, refunds and reversals carry field 90, which a field-64 MAC would have to follow.
    ["an iso87 MAC below field 90", "iso87ascii", (t) => (t.mac = { algorithm: "x9.9", field: 64, verify: "approvals" }), /mac\.field: 64 comes before field 90, which voids, refunds and reversals carry in the iso87 style: put the MAC in field 128/],
    ["a MAC below field 90 where reversals take a new STAN", "cup", (t) => (t.transactions.reversal.stan = "new"), /mac\.field: 64 comes before field 90, which reversals with a new STAN carry: put the MAC in field 128/],
    ["an extra field after the MAC on a financial request", "cup", (t) => ((t.bitmap.secondary_bitmap = true), t.fields.push({ ...t.fields[1], number: 70 }), (t.transactions.operations.purchase.fields = { "70": "000000" })), /transactions\.operations\.purchase\.fields\.70: field 70 comes after the MAC field 64, and a purchase carries a MAC/],
    ["a key exchange whose working keys are in no field", "cup", (t) => (t.transactions.profile = { answers: [{ name: "key exchange", mti: "0800", network_code: "101", working_keys: "sixty-two" }] }), /transactions\.profile\.answers\[0\]\.working_keys: expected a field number/],
  ];
  for (const [what, base, change, pattern] of broken) {
    it(`rejects ${what}, naming the key`, () => loadFails(variant(base, change), pattern));
  }
});
