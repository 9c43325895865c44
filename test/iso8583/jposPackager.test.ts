import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { loadDialect } from "../../src/iso8583/dialect.js";
import { importJposPackager, PackagerError } from "../../src/iso8583/jposPackager.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { runCli } from "../helpers/cli.js";

const fixture = (name: string) => new URL(`../fixtures/packagers/${name}`, import.meta.url);
const packager = (name: string) => readFileSync(fixture(name), "utf8");

/** A message with only the fields both dialects define, so their bytes can be compared. */
const pick = (fields: Record<string, string>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, fields[k]]));

describe("isoconf dialects import: a jPOS GenericPackager as a dialect table", () => {
  it("IFA_* and IF_CHAR: packs the very bytes the built-in iso87ascii packs", () => {
    const d = loadDialect(importJposPackager(packager("lab-ascii.xml"), "lab-ascii", "lab-ascii.xml"));
    const fields = { "2": "4761739001010119", "3": "000000", "4": "000000000500", "7": "0115093000", "11": "000123", "12": "093000", "13": "0115", "22": "021", "25": "00", "35": "4761739001010119=2512101", "37": "002693262069", "38": "5883XR", "39": "00", "41": "TERM0001", "42": "123456789012345", "49": "156", "52": "8E1A4F77C20B39D5", "63": "CUP" };
    const m = { mti: "0210", fields };
    const ours = pack(d, m);
    assert.deepEqual(ours, pack(builtinDialect("iso87ascii"), m));
    assert.deepEqual(unpack(d, ours), m);
    assert.equal(d.fields[28]!.spec.content, "x+n", "IFA_AMOUNT is C/D and digits");
    assert.equal(d.table.bitmap.secondary_bitmap, true, "field 70 needs the secondary bitmap");
  });

  it("IFB_* classes with their pad attribute: packs the very bytes the built-in iso87binary packs", () => {
    const d = loadDialect(importJposPackager(packager("lab-binary.xml"), "lab-binary"));
    const b = builtinDialect("iso87binary");
    assert.equal(d.fields[3]!.spec.pad?.side, "left", 'pad="true" is a right-aligned value');
    assert.equal(d.fields[2]!.spec.pad?.side, "right");
    assert.equal(d.fields[35]!.spec.content, "z", "track 2 keeps its separator");
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{12,19}$/), fc.stringMatching(/^[0-9]{1,6}$/), fc.uint8Array({ minLength: 8, maxLength: 8 }), (pan, stan, pin) => {
        const fields = { "2": pan, "3": "000000", "4": "000000000500", "11": stan.padStart(6, "0"), "22": "021", "35": `${pan}D2512`, "39": "00", "41": "TERM0001", "52": Buffer.from(pin).toString("hex").toUpperCase(), "55": "9F2608" };
        const m = { mti: "0200", fields: pick(fields, Object.keys(fields)) };
        assert.deepEqual(pack(d, m), pack(b, m));
      }),
    );
    assert.deepEqual(d.fields[62]!.spec.length_prefix_encoding, "binary", "IFB_LLHBINARY: a binary length byte");
  });

  it("what it cannot map is an error naming the element, never a guess", () => {
    const refused = (xml: string, pattern: RegExp) =>
      assert.throws(() => importJposPackager(xml, "x", "p.xml"), (e: unknown) => e instanceof PackagerError && pattern.test(e.message));
    refused(packager("ebcdic.xml"), /p\.xml: <isofield id="2" class="org\.jpos\.iso\.IFE_LLNUM">: EBCDIC is not a data encoding isoconf has/);
    refused(packager("lab-ascii.xml").replace("IFA_NUMERIC\"/>\n  <isofield id=\"1\"", "IF_CHAR\"/>\n  <isofield id=\"1\""), /<isofield id="0" class="org\.jpos\.iso\.IF_CHAR">: the MTI must be IFA_NUMERIC or IFB_NUMERIC/);
    refused(packager("lab-ascii.xml").replace('class="org.jpos.iso.IFA_BINARY"', 'class="org.jpos.iso.IFA_LLBINARY"'), /id="52".*IFA_LLBINARY.*counts the bytes of the hex text/);
    refused(packager("lab-ascii.xml").replace('length="19" name="PAN', 'length="nineteen" name="PAN'), /id="2".*length must be a whole number above 0, got "nineteen"/);
    refused(packager("lab-ascii.xml").replace('length="999" name="RESERVED', 'length="1999" name="RESERVED'), /the imported table does not hold: .*field 63\)\.max_length: 1999 does not fit a LLL ascii prefix/);
    refused("<isopackager><isofield", /not well-formed XML/);
    refused("<html/>", /expected <isopackager> with <isofield> elements/);
  });

  it("on the command line: JSON on stdout that `isoconf dialects FILE` accepts, a one-line error otherwise", () => {
    const r = runCli(["dialects", "import", fixture("lab-binary.xml").pathname]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).dialect, "lab-binary");
    assert.match(r.stderr, /11 fields imported as dialect lab-binary; add framing, mac and a transactions block/);
    const bad = runCli(["dialects", "import", fixture("ebcdic.xml").pathname]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^isoconf: .*ebcdic\.xml: <isofield id="2" class="org\.jpos\.iso\.IFE_LLNUM">: EBCDIC is not a data encoding isoconf has .*\n$/);
    assert.match(runCli(["dialects", "import"]).stderr, /dialects import needs a GenericPackager XML file/);
  });
});
