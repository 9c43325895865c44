import { before, describe, it } from "mocha";
import { evidenceLines } from "../reports/reportText.js";
import type { PropertyResult } from "../src/runner/suiteResult.js";
import { hostSuite } from "../suites/host/index.js";
import { terminalSuite } from "../suites/terminal/index.js";
import { runConformance, type RunOutcome } from "./runConformance.js";
import type { RunOptions } from "./runOptions.js";
import { UsageError } from "./usageError.js";

/** A property's failure as mocha shows it: the same evidence the JUnit report carries, replay command last. */
export class ConformanceFailure extends Error {
  override readonly name = "ConformanceFailure";
}

export interface MochaConformanceOptions extends RunOptions {
  /** The `describe` title; default `isoconf <role> suite`. */
  title?: string;
}

/**
 * Registers isoconf inside a mocha run (the vendor's own CI): one `describe` for the suite, one
 * `it` per property in catalogue order. The suite runs once, in the describe's `before` hook
 * (no mocha timeout: a device run takes minutes, and the runner's own waits have deadlines), and
 * writes its output folder as `isoconf run` does; each `it` then reports its property's verdict.
 * Verdicts: pass passes; fail throws the evidence; skipped, untested, n/a, flaky and waived are pending with
 * the reason in the title; a waived property that passes fails (the waiver is stale).
 * The options are those of `isoconf run` and of isoconf.config.json, by the same names.
 */
export function conformance(options: MochaConformanceOptions): void {
  const { title, ...run } = options;
  if (typeof run.suite === "string") throw new UsageError("isoconf/mocha: import your suite module and pass the suite object as `suite` (mocha registers tests before anything can be loaded)");
  const suite = run.suite ?? (run.role === "terminal" ? terminalSuite : hostSuite);
  describe(title ?? `isoconf ${suite.name} suite`, function () {
    let outcome: RunOutcome | undefined;
    before(async function () {
      this.timeout(0);
      outcome = await runConformance({ ...run, suite });
      // Verdicts of a run the kit could not finish are not worth an it each: the hook fails with why.
      const stopped = outcome.result.stopped;
      if (stopped?.reason === "kit-error") throw new ConformanceFailure(`the run stopped early: ${stopped.message} (report in ${outcome.out})`);
    });
    for (const property of suite.properties) {
      it(`${property.id} ${property.title}`, function () {
        const p = outcome!.written.properties.find((x) => x.id === property.id)!;
        const waiver = outcome!.waivers.get(p.id);
        const pending = (note: string) => {
          this.test!.title += ` (${note})`;
          this.skip();
        };
        if (waiver !== undefined) {
          if (p.verdict === "pass") throw new ConformanceFailure(`${p.id} is waived ("${waiver}") but passes: remove the waiver`);
          return pending(`waived: ${waiver}`);
        }
        if (p.verdict === "skipped") return pending(p.reason ?? "skipped");
        if (p.verdict === "untested" || p.verdict === "n/a") return pending(`${p.verdict}: ${p.reason}`);
        if (p.verdict === "flaky") return pending(`flaky: ${p.reason ?? "did not fail every time"}`);
        if (p.verdict === "fail") throw new ConformanceFailure(failureText(p, outcome!.out));
      });
    }
  });
}

const failureText = (p: PropertyResult, out: string): string => evidenceLines(p, out).join("\n");
