import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, runCliAsync, type CliResult } from "../helpers/cli.js";

/** An error the user can act on: one line on stderr naming it, no stack, exit 2. */
function userError(r: CliResult, pattern: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /^isoconf: [^\n]+\n$/, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: no stack`);
  assert.match(r.stderr, pattern, what);
}

describe("isoconf: errors the user can act on are one line, exit 2", function () {
  this.timeout(60_000);
  const out = () => join(mkdtempSync(join(tmpdir(), "isoconf-usererr-")), "out");

  describe("the link's: a bad framing or endpoint, a port in use", () => {
    let busy: Server;
    before((done) => {
      busy = createServer().listen(0, "127.0.0.1", done);
    });
    after((done) => {
      busy.close(() => done());
    });

    it("run host --framing bogus, --target foo://x, --listen on a port in use", async () => {
      const port = (busy.address() as AddressInfo).port;
      const cases: [string[], RegExp][] = [
        [["--framing", "bogus"], /unknown framing "bogus": expected one of /],
        [["--target", "foo://x"], /bad endpoint "foo:\/\/x": expected tcp:\/\/HOST:PORT/],
        [["--listen", `tcp://127.0.0.1:${port}`], new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`)],
      ];
      const results = await Promise.all(cases.map(([args]) => runCliAsync(["run", "host", "--runs", "1", "--out", out(), ...args])));
      results.forEach((r, i) => userError(r, cases[i][1], cases[i][0].join(" ")));
    });
  });

  describe("a dialect file without transactions", () => {
    let file: string;
    before(() => {
      const table = JSON.parse(readFileSync(new URL("../../src/iso8583/dialects/cup.json", import.meta.url), "utf8"));
      delete table.transactions;
      file = join(mkdtempSync(join(tmpdir(), "isoconf-usererr-")), "mydialect.json");
      writeFileSync(file, JSON.stringify(table));
    });

    it("run refuses it, naming the file and the missing key", () => {
      const r = runCli(["run", "host", "--dialect", file, "--runs", "1", "--out", out()]);
      userError(r, new RegExp(`${file.replace(/[.]/g, "\\.")}: dialect cup has no "transactions" section`), "run host --dialect");
    });

    it("decode and encode still work with it: they need no transactions", () => {
      const encoded = runCli(["encode", "--dialect", file, "--json", "-"], JSON.stringify({ mti: "0800", header: "6000030000603100000000", fields: { "11": "000001", "41": "TERM0001", "42": "123456789012345" } }));
      assert.equal(encoded.status, 0, encoded.stderr);
      const hex = encoded.stdout.trim();
      assert.match(hex, /^[0-9A-F]+$/i);
      const decoded = runCli(["decode", "--dialect", file, "--hex", hex, "--json"]);
      assert.equal(decoded.status, 0, decoded.stderr);
      assert.equal(JSON.parse(decoded.stdout).fields["41"], "TERM0001");
    });
  });

  describe("an option of one value given twice", () => {
    it("is refused before anything runs, naming the option and both values; a list option takes both", async () => {
      const cases = [
        ["sim", "host", "--dialect", "cup", "--dialect", "iso87ascii"],
        ["run", "host", "--runs", "2", "--runs", "3", "--out", out()],
        ["decode", "--dialect", "cup", "--dialect", "cup", "--hex", "00"],
        // A hyphenated name, its camelCase twin, and an alias written with its value.
        ["run", "host", "--max-steps", "2", "--maxSteps", "3", "--out", out()],
        ["run", "host", "-j2", "--concurrency", "3", "--out", out()],
      ];
      const results = await Promise.all(cases.map((args) => runCliAsync(args)));
      results.forEach((r, i) => {
        const what = cases[i].join(" ");
        assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: no stack`);
        assert.match(r.stderr, /^isoconf: --(dialect|runs|max-steps|concurrency) was given 2 times \((cup, iso87ascii|2, 3|cup, cup)\): give it once\n/, what);
      });
      const listed = runCli(["run", "host", "--only", "H-TID-1", "--only", "H-FMT-1", "--runs", "2", "--quiet", "--out", out()]);
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, / 10 skipped /, "both --only values are taken");
    });
  });
});
