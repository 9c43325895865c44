import type { SuiteResult } from "../src/runner/suiteResult.js";

/** Exit codes of a run: 0 all passed, 1 a property failed (or a waiver is stale), 2 the run did not finish (Ctrl-C, or the kit could not run a scenario). */
export type ExitCode = 0 | 1 | 2;

/**
 * A run's exit code, the one rule `run` and `merge` share. A waived failure does not fail the
 * run; a waived property that passes does, as an unexpected pass: the waiver is stale and should
 * go (tlsfuzzer's XPASS). A failure outranks an interruption: what was found stays found. A run
 * that stopped at its own deadline (`--deadline-ms`, a lab's time box) did what it was asked.
 * `stale` lists the waived properties that passed, for the console to name.
 */
export function exitCodeOf(result: Pick<SuiteResult, "properties" | "interrupted" | "stopped">, waivers: ReadonlyMap<string, string>): { code: ExitCode; stale: string[] } {
  const failed = result.properties.some((p) => p.verdict === "fail" && !waivers.has(p.id));
  const stale = result.properties.filter((p) => waivers.has(p.id) && p.verdict === "pass").map((p) => p.id);
  const unfinished = result.interrupted && result.stopped?.reason !== "deadline";
  const code = failed || stale.length > 0 ? 1 : unfinished ? 2 : 0;
  return { code, stale };
}
