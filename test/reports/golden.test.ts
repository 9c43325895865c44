import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MASKING_OFF } from "../../reports/report.js";
import { writeRunOutput } from "../../reports/runOutput.js";
import { cardPan } from "../../src/scenario/scenario.js";
import { cup, PAN, scenario, settings, suiteResult, TRACK2 } from "./support/fixture.js";
import { writeFixture } from "./support/writeFixture.js";

/**
 * Golden files: the fixture run (masked) as `writeRunOutput` writes it, every file compared
 * exactly to `test/reports/golden/`. After a deliberate change to a format, rewrite them with
 * `UPDATE_GOLDEN=1 npx mocha test/reports/golden.test.ts`, then read the diff before committing.
 */
const GOLDEN = fileURLToPath(new URL("./golden/", import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Card data of the fixture in any form it could leak: PAN, track, the scenario card's own PAN. */
const SECRETS = [PAN, TRACK2, "D2512101", cardPan(scenario.steps[0].card!)];

describe("reports: golden files", () => {
  it(`every output file equals its golden copy${UPDATE ? " (UPDATE_GOLDEN=1: rewriting them)" : ""}`, async () => {
    const { files } = await writeFixture(true);
    if (UPDATE) {
      rmSync(GOLDEN, { recursive: true, force: true });
      mkdirSync(GOLDEN, { recursive: true });
      for (const [name, text] of files) writeFileSync(join(GOLDEN, name), text);
    }
    assert.deepEqual([...files.keys()], readdirSync(GOLDEN).sort(), "the same files");
    for (const [name, text] of files) {
      const golden = readFileSync(join(GOLDEN, name), "utf8");
      if (text === golden) continue;
      const a = text.split("\n");
      const b = golden.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`${name} differs from its golden copy at line ${line + 1}:\n  got:    ${JSON.stringify(a[line])}\n  golden: ${JSON.stringify(b[line])}\n(UPDATE_GOLDEN=1 rewrites the golden files)`);
    }
  });

  it("writes every format, and the three files per property with a counterexample", async () => {
    const { files } = await writeFixture(true);
    const perProperty = ["H-ECHO-1", "H-LIVE-1", "H-REV-9"].flatMap((id) => [`${id}.md`, `${id}.scenario.json`, `${id}.trace.jsonl`]);
    assert.deepEqual([...files.keys()], [...perProperty, "index.html", "junit.xml", "results.tap", "summary.json"].sort());
  });

  it("no card number in clear in any file, golden or freshly written", async () => {
    const { files } = await writeFixture(true);
    const golden = readdirSync(GOLDEN).map((name): [string, string] => [`golden/${name}`, readFileSync(join(GOLDEN, name), "utf8")]);
    for (const [name, text] of [...files, ...golden]) {
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${name} shows ${secret} in clear`);
    }
  });

  it("with masking off, every file says so (the scenario files hold no card number either way)", async () => {
    const { files } = await writeFixture(false);
    for (const [name, text] of files) {
      if (name.endsWith(".scenario.json")) continue;
      if (name.endsWith(".json")) assert.equal(JSON.parse(text).masked, false, name);
      else if (name.endsWith(".jsonl")) assert.equal(JSON.parse(text.split("\n")[0]).masked, false, name);
      else assert.ok(text.includes(MASKING_OFF), `${name} does not say masking is off`);
    }
    assert.ok(files.get("H-REV-9.md")!.includes(PAN), "and the card data is there in clear");
  });

  it("a run that stopped early says so, and why, in the TAP, the JUnit and the HTML", async () => {
    const cases = [
      [{ reason: "interrupted" }, "the run was interrupted after 100 of 100 scenarios; a pass means only"],
      [{ reason: "deadline" }, "the run reached its deadline after 100 of 100 scenarios"],
      [{ reason: "kit-error", message: "a scenario could not be run: the reset command failed (exit 3)" }, "the run stopped after 100 of 100 scenarios: a scenario could not be run: the reset command failed (exit 3)"],
    ] as const;
    for (const [stopped, text] of cases) {
      const dir = mkdtempSync(join(tmpdir(), "isoconf-reports-"));
      await writeRunOutput(dir, { ...suiteResult, interrupted: true, stopped }, cup, settings(true));
      for (const name of ["results.tap", "junit.xml", "index.html"]) assert.ok(readFileSync(join(dir, name), "utf8").includes(text), `${name}: ${text}`);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      assert.equal(summary.interrupted, true);
      assert.deepEqual(summary.stopped, stopped);
    }
  });

  it("index.html is self-contained: no script, no external reference; ids unique and internal links resolve", async () => {
    const page = (await writeFixture(true)).files.get("index.html")!;
    assert.ok(!/<script|<link|<img|<iframe|\bsrc=|url\(http/i.test(page));
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.every((h) => !/^[a-z]+:/i.test(h)), "no absolute links");
    const ids = [...page.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const h of hrefs.filter((h) => h.startsWith("#"))) assert.ok(ids.includes(h.slice(1)), `${h} points nowhere`);
    for (const h of hrefs.filter((h) => !h.startsWith("#"))) assert.match(h, /^H-[A-Z0-9-]+\.(md|scenario\.json|trace\.jsonl)$/);
  });
});
