import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What differs from run to run of the same seed: the date, and where the folder is. */
const normalise = (md: string, out: string) => md.replace(/\| date \| `[^`]*` \|/, "| date | `DATE` |").replaceAll(out, "OUT");

describe("the README's sample bug report", function () {
  this.timeout(60_000);

  // Seed 3: the one-step purchase(1.00)+drop the README explains (seed 2 shrinks to a reverse_twice since the advices and boundary amounts).
  it("is what `isoconf run host --bug reversal-ignored --seed 3` writes today, in the README and in docs/", () => {
    const out = join(mkdtempSync(join(tmpdir(), "isoconf-sample-")), "bug-demo");
    const r = runCli(["run", "host", "--bug", "reversal-ignored", "--seed", "3", "--out", out, "--quiet"]);
    assert.equal(r.status, 1, r.stderr);
    const written = normalise(readFileSync(join(out, "H-REV-1.md"), "utf8"), out);
    const docs = readFileSync(join(ROOT, "docs/sample-bug-report.md"), "utf8");
    // Regenerate with: npx isoconf run host --bug reversal-ignored --seed 3 --out isoconf-report/bug-demo
    assert.equal(normalise(docs, "isoconf-report/bug-demo"), written, "docs/sample-bug-report.md is out of date");
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.ok(readme.includes("````markdown\n" + docs.trimEnd() + "\n````"), "the README's copy differs from docs/sample-bug-report.md");
  });
});
