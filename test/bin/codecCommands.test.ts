import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { pack } from "../../src/iso8583/pack.js";
import { runCli } from "../helpers/cli.js";
import { validVectors } from "../helpers/sharedVectors.js";

const cnblogs = validVectors("cup").find((v) => v.id === "cup-real-0200-cnblogs")!;
const withPan = pack(builtinDialect("iso87ascii"), {
  mti: "0210",
  fields: { "2": "4761739001010010", "3": "000000", "11": "000001", "39": "51", "41": "TERM0001" },
}).toString("hex");

describe("isoconf decode / encode / dialects", function () {
  this.timeout(60_000);

  it("dumps a real CUP frame field by field", () => {
    const r = runCli(["decode", "--dialect", "cup", "--hex", cnblogs.hex]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^h +Header +b11 binary +0 +6000030000603210320072/m);
    assert.match(r.stdout, /^22 +Point of service entry mode +n3 bcd +33 +0300 +"030"$/m);
    assert.match(r.stdout, /^64 +Message authentication code \(MAC\) .* "4233413039324145"$/m);
  });

  it("masks the PAN by default, shows the response code's meaning, and unmasks on --no-mask", () => {
    const masked = runCli(["decode", "-d", "iso87ascii", "--hex", withPan]);
    assert.equal(masked.status, 0, masked.stderr);
    assert.ok(!masked.stdout.includes("4761739001010010"), masked.stdout);
    assert.match(masked.stdout, /"476173\*\*\*\*\*\*0010"/);
    assert.match(masked.stdout, /^39 .*"51"  Not sufficient funds/m);
    const clear = runCli(["decode", "-d", "iso87ascii", "--hex", withPan, "--no-mask", "--json"]);
    assert.equal(JSON.parse(clear.stdout).fields["2"], "4761739001010010");
  });

  it("prints what decoded, then the error, and exits 2 on a malformed frame", () => {
    const r = runCli(["decode", "-d", "cup", "--hex", cnblogs.hex.slice(0, 80)]);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^25 +Point of service condition code/m);
    assert.match(r.stdout, /^error: field 41, offset 36: field data is 4 bytes, expecting 8$/m);
  });

  it("--json gives the stable shapes", () => {
    const ok = runCli(["decode", "-d", "cup", "--json", "--hex", cnblogs.hex]);
    assert.deepEqual(JSON.parse(ok.stdout), { mti: cnblogs.mti, header: cnblogs.header, fields: cnblogs.fields });
    const bad = runCli(["decode", "-d", "cup", "--json", "--hex", cnblogs.hex.slice(0, 80)]);
    assert.equal(bad.status, 2);
    assert.deepEqual(JSON.parse(bad.stdout), {
      error: { field: "41", offset: 36, kind: "truncated", reason: "field data is 4 bytes, expecting 8" },
    });
  });

  it("--hex-lines decodes a log line by line, past bad lines: one result per input line, blank ones too", () => {
    const input = [cnblogs.hex, "not hex", "", cnblogs.hex.slice(0, 30), "   ", cnblogs.hex].join("\n");
    for (const json of [[], ["--json"]]) {
      const r = runCli(["decode", "-d", "cup", "--hex-lines", ...json], input);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.length, 6, r.stdout);
      assert.equal(lines[0].mti, "0200");
      assert.equal(lines[1].error.field, "input");
      assert.deepEqual(lines[2], { empty: true });
      assert.equal(lines[3].error.field, "p", "15 bytes end inside the bitmap");
      assert.deepEqual(lines[4], { empty: true });
      assert.equal(lines[5].fields["64"], "4233413039324145");
      assert.equal(r.status, 2, "a bad line makes the exit code 2");
    }
  });

  it("encode turns JSON into the same hex the vectors give", () => {
    const json = JSON.stringify({ mti: cnblogs.mti, header: cnblogs.header, fields: cnblogs.fields });
    const r = runCli(["encode", "-d", "cup", "--json", "-"], json);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), cnblogs.hex);
  });

  it("encode names the field it rejects", () => {
    const r = runCli(["encode", "-d", "cup", "--json", "-"], '{"mti":"0200","fields":{"4":"12A"}}');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^isoconf: the character at position 3 of the value \(counting from 1\) is not allowed in a field of class n: field 4$/m);
  });

  it("dialects lists the built-ins and prints one as a starting point", () => {
    const list = runCli(["dialects"]);
    assert.match(list.stdout, /^cup +China UnionPay/m);
    const one = runCli(["dialects", "iso87binary"]);
    assert.equal(JSON.parse(one.stdout).dialect, "iso87binary");
  });

  it("dialects FILE refuses a table whose purchase has the sign-on's MTI: one line naming the key, exit 2", () => {
    const table = structuredClone(builtinDialect("cup").table);
    table.transactions!.operations.purchase.mti = "0800";
    const file = join(mkdtempSync(join(tmpdir(), "isoconf-dialects-")), "lab.json");
    writeFileSync(file, JSON.stringify(table));
    for (const args of [["dialects", file], ["run", "host", "-d", file, "--runs", "1"]]) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^isoconf: .*lab\.json: transactions\.operations\.purchase\.mti: 0800 is not an MTI class purchase can be sent in .*\n$/);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr);
    }
  });

  it("bad command lines are errors that say what was expected, exit 2", () => {
    const cases: [string[], RegExp][] = [
      [["decode", "--hex", "00"], /Missing required argument: dialect/],
      [["decode", "-d", "cup", "--hex", "0G"], /--hex is not hexadecimal/],
      [["decode", "-d", "visa", "--hex", "00"], /unknown dialect "visa"/],
      [["decode", "-d", "cup", "--hex", "00", "--bogus"], /Unknown argument: bogus/],
      [["frob"], /Did you mean run\?|Unknown argument: frob/],
    ];
    for (const [args, pattern] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, pattern);
    }
  });
});
