import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Tests that need a program the machine may lack (socat, Chromium). Off CI they skip with one
 * line each and a count at the end of the run, so `npm test` passes on a fresh machine with Node
 * alone; with CI set they fail, since there a missing tool is a broken machine, not a pass.
 * Loaded by mocha (.mocharc.json) for the closing count, which is made in the main process from
 * what every worker wrote (npm test runs the files in parallel workers).
 */
const SKIPS_DIR = "ISOCONF_TEST_SKIPS_DIR";

export const onCi = (): boolean => !["", "0", "false"].includes((process.env.CI ?? "").toLowerCase());

export interface MissingTool {
  /** What is missing, as the user would search for it: "socat", "Chromium". */
  tool: string;
  /** Why it is missing, in one sentence. */
  problem: string;
  /** How to get it. */
  install: string;
}

/** From a `before` hook: skips (off CI) or fails (on CI) every test of the hook's suite; from a test, that test. */
export function skipOrFail(ctx: Mocha.Context, missing: MissingTool): never {
  const message = `${missing.problem}; ${missing.install}`;
  if (onCi()) throw new Error(`${message} (CI is set, so tests that need ${missing.tool} fail rather than skip)`);
  const inTest = (ctx.test as { type?: string } | undefined)?.type === "test";
  const tests = inTest ? 1 : (ctx.test?.parent?.total() ?? 1);
  const where = inTest ? ctx.test?.fullTitle() : ctx.test?.parent?.fullTitle();
  const dir = process.env[SKIPS_DIR];
  if (dir !== undefined) appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify({ tool: missing.tool, tests, install: missing.install })}\n`);
  process.stderr.write(`      skipping ${tests} test${tests === 1 ? "" : "s"} of "${where ?? "?"}": ${missing.problem}\n`);
  ctx.skip();
}

/** Before any worker starts: where workers write what they skipped. */
export function mochaGlobalSetup(): void {
  process.env[SKIPS_DIR] = mkdtempSync(join(tmpdir(), "isoconf-test-skips-"));
}

/** After the last test: one line per missing tool, with the number of tests it cost. */
export function mochaGlobalTeardown(): void {
  const dir = process.env[SKIPS_DIR];
  if (dir === undefined) return;
  const skipped = new Map<string, { tests: number; install: string }>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean)) {
      const { tool, tests, install } = JSON.parse(line) as { tool: string; tests: number; install: string };
      skipped.set(tool, { tests: (skipped.get(tool)?.tests ?? 0) + tests, install });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  for (const [tool, { tests, install }] of skipped) {
    process.stderr.write(`\n  ${tests} test${tests === 1 ? "" : "s"} skipped: ${tool} is not installed (${install})\n`);
  }
}
