import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeRunOutput } from "../../reports/runOutput.js";
import type { SuiteResult } from "../../src/runner/suiteResult.js";
import { cup, settings, suiteResult } from "./support/fixture.js";
import { parseStrictXml, type XmlElement } from "./support/strictXml.js";

/**
 * A run stopped early (Ctrl-C, SIGTERM, a scenario the kit could not run) must not look green
 * in CI files: golden results.tap and junit.xml of the fixture run cut short after 37 of its 100
 * scenarios. `UPDATE_GOLDEN=1` rewrites them, as for test/reports/golden.test.ts.
 */
const GOLDEN = fileURLToPath(new URL("./golden-stopped/", import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";

async function written(result: SuiteResult): Promise<{ tap: string; junit: string }> {
  const dir = mkdtempSync(join(tmpdir(), "isoconf-stopped-"));
  await writeRunOutput(dir, result, cup, settings(true));
  return { tap: readFileSync(join(dir, "results.tap"), "utf8"), junit: readFileSync(join(dir, "junit.xml"), "utf8") };
}

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

describe("reports of a run stopped early", () => {
  const interrupted: SuiteResult = { ...suiteResult, scenarios: 37, interrupted: true, stopped: { reason: "interrupted" } };

  it("equal their golden copies: unfailed properties SKIP with why, and Bail out!; JUnit skipped plus an error testcase", async () => {
    const { tap, junit } = await written(interrupted);
    if (UPDATE) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(join(GOLDEN, "results.tap"), tap);
      writeFileSync(join(GOLDEN, "junit.xml"), junit);
    }
    assert.equal(tap, readFileSync(join(GOLDEN, "results.tap"), "utf8"));
    assert.equal(junit, readFileSync(join(GOLDEN, "junit.xml"), "utf8"));
  });

  it("no property that did not fail shows as a pass, in TAP or JUnit, and JUnit counts the error", async () => {
    const { tap, junit } = await written(interrupted);
    const failing = suiteResult.properties.filter((p) => p.verdict === "fail").length;
    assert.match(tap, /^Bail out! the run was interrupted after 37 of 100 scenarios/m);
    for (const line of tap.split("\n").filter((l) => /^ok \d/.test(l))) assert.match(line, /# (SKIP|TODO) /, line);
    assert.equal(tap.split("\n").filter((l) => /^not ok \d/.test(l)).length >= failing, true);
    const root = parseStrictXml(junit);
    const suite = all(root, "testsuite")[0];
    assert.equal(root.attrs.errors, "1");
    assert.equal(suite.attrs.errors, "1");
    const cases = all(root, "testcase");
    assert.equal(suite.attrs.tests, String(cases.length));
    for (const c of cases) assert.ok(c.children.length > 0, `${c.attrs.name} reads as a pass`);
    const error = cases.find((c) => c.attrs.name === "isoconf run")!;
    assert.match(all(error, "error")[0].attrs.message, /interrupted after 37 of 100 scenarios/);
  });

  it("a scenario the kit could not run says why in the error; a run at its own deadline keeps its passes", async () => {
    const kitError = await written({ ...interrupted, stopped: { reason: "kit-error", message: "a scenario could not be run: the reset command failed (exit 3)" } });
    assert.match(kitError.tap, /^Bail out! the run stopped after 37 of 100 scenarios: a scenario could not be run: the reset command failed \(exit 3\)/m);
    assert.match(kitError.junit, /<error message="the run stopped after 37 of 100 scenarios: a scenario could not be run[^"]*" type="kit-error"\/>/);
    const deadline = await written({ ...interrupted, stopped: { reason: "deadline" } });
    assert.doesNotMatch(deadline.tap, /Bail out!/);
    assert.match(deadline.tap, /^# the run reached its deadline after 37 of 100 scenarios/m);
    assert.match(deadline.junit, /errors="0"/);
  });
});
