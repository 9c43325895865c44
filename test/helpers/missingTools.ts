/**
 * Tests that need a program the machine may lack (socat, Chromium). Off CI they skip with one
 * line each and a count at the end of the run, so `npm test` passes on a fresh machine with Node
 * alone; with CI set they fail, since there a missing tool is a broken machine, not a pass.
 * Loaded by mocha as a root-hook plugin (.mocharc.json) for the closing count.
 */
const skipped = new Map<string, { tests: number; install: string }>();

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
  const seen = skipped.get(missing.tool);
  skipped.set(missing.tool, { tests: (seen?.tests ?? 0) + tests, install: missing.install });
  process.stderr.write(`      skipping ${tests} test${tests === 1 ? "" : "s"} of "${where ?? "?"}": ${missing.problem}\n`);
  ctx.skip();
}

export const mochaHooks = {
  afterAll(): void {
    for (const [tool, { tests, install }] of skipped) {
      process.stderr.write(`\n  ${tests} test${tests === 1 ? "" : "s"} skipped: ${tool} is not installed (${install})\n`);
    }
  },
};
