import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readScenarioFile, SCENARIO_FORMAT, ScenarioFileError, type ScenarioFile, writeScenarioFile } from "../../reports/scenarioFile.js";

const dir = mkdtempSync(join(tmpdir(), "isoconf-scenario-file-"));
const base: ScenarioFile = {
  format: SCENARIO_FORMAT,
  property: "T-REV-1",
  suite: "terminal",
  dialect: "cup",
  target: { kind: "reference" },
  responseTimeoutMs: 30_000,
  registeredTerminals: ["TERM0001"],
  steps: ["purchase(5.00)+drop+revdrop:2"],
  scenario: { role: "terminal", steps: [{ op: "purchase", amount: 500, fault: { kind: "drop", reversalDrops: 2 } }] },
};

function refused(scenario: unknown, pattern: RegExp) {
  const file = join(dir, "bad.scenario.json");
  writeFileSync(file, JSON.stringify({ ...base, scenario }));
  assert.throws(() => readScenarioFile(file), (e: unknown) => e instanceof ScenarioFileError && pattern.test(e.message));
}

describe("scenario files: the one scenario schema, errors naming the key", () => {
  it("a written file reads back the same", () => {
    const file = join(dir, "ok.scenario.json");
    writeScenarioFile(file, base);
    assert.deepEqual(readScenarioFile(file), base);
  });

  it("refuses what no generator makes and no role could play", () => {
    refused({ role: "terminal", steps: [{ op: "purchase", fault: { kind: "code", code: "05", reversalDrops: 1 } }] }, /scenario\.steps\.0\.fault: Unrecognized key: "reversalDrops"/);
    refused({ role: "terminal", steps: [{ op: "purchase", fault: { kind: "malformed" } }] }, /scenario\.steps\.0\.fault\.variant: Invalid option/);
    refused({ role: "terminal", steps: [{ op: "purchase", fault: { kind: "code" } }] }, /scenario\.steps\.0\.fault\.code: Invalid input/);
    refused({ role: "host", terminals: ["TERM0001"], steps: [{ op: "purchase", terminal: 0, fault: { kind: "late" } }] }, /scenario\.steps\.0\.fault\.kind: Invalid discriminator value\. Expected 'drop' \| 'duplicate'/);
    refused({ role: "host", terminals: ["TERM0001"], steps: [{ op: "purchase", terminal: 1 }] }, /scenario\.steps\.0\.terminal: terminal 1 is not in scenario\.terminals \(1 of them\)/);
  });
});
