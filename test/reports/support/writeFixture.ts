import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRunOutput } from "../../../reports/runOutput.js";
import { cup, settings, suiteResult } from "./fixture.js";

/** The fixture run written by `writeRunOutput` to a fresh temp folder: the folder and each file's text by name. */
export async function writeFixture(mask: boolean): Promise<{ dir: string; files: Map<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), "isoconf-reports-"));
  await writeRunOutput(dir, suiteResult, cup, settings(mask));
  const files = new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), "utf8")]));
  return { dir, files };
}
