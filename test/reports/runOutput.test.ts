import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutputFolder, makeOutputFolder } from "../../reports/outputFolder.js";
import { defaultOutDir, makeDefaultOutDir } from "../../reports/runOutput.js";

/** Runs `body` with a new empty folder as the working directory, then removes it. */
function inEmptyFolder(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "isoconf-out-"));
  const was = process.cwd();
  process.chdir(dir);
  try {
    body(dir);
  } finally {
    process.chdir(was);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("reports/runOutput: defaultOutDir", () => {
  it("isoconf-report/<start time as a file name><suffix>, for run, its shards and merge alike", () => {
    const at = new Date(Date.UTC(2026, 0, 15, 9, 1, 2, 345));
    assert.equal(defaultOutDir(at), "isoconf-report/2026-01-15T09-01-02-345Z");
    assert.equal(defaultOutDir(at, "-shard-2-of-4"), "isoconf-report/2026-01-15T09-01-02-345Z-shard-2-of-4");
    assert.equal(defaultOutDir(at, "-merged"), "isoconf-report/2026-01-15T09-01-02-345Z-merged");
  });

  // Two runs started in one millisecond in one folder (CI jobs side by side) had one report folder:
  // the second failed with EEXIST, or both wrote into it.
  it("makeDefaultOutDir gives runs started in the same millisecond a folder each: -2, -3, …", () => {
    inEmptyFolder(() => {
      const at = new Date(Date.UTC(2026, 0, 15, 9, 1, 2, 345));
      const made = [makeDefaultOutDir(at), makeDefaultOutDir(at), makeDefaultOutDir(at, "-shard-1-of-2"), makeDefaultOutDir(at)];
      assert.deepEqual(made, [
        "isoconf-report/2026-01-15T09-01-02-345Z",
        "isoconf-report/2026-01-15T09-01-02-345Z-2",
        "isoconf-report/2026-01-15T09-01-02-345Z-shard-1-of-2",
        "isoconf-report/2026-01-15T09-01-02-345Z-3",
      ]);
      assert.deepEqual(readdirSync("isoconf-report").sort(), made.map((d) => d.slice("isoconf-report/".length)).sort());
    });
  });

  it("makeDefaultOutDir gives up, saying so, once the name and its 999 numbered ones are all taken", () => {
    inEmptyFolder(() => {
      const at = new Date(Date.UTC(2026, 0, 15, 9, 1, 2, 345));
      const base = defaultOutDir(at);
      mkdirSync(base, { recursive: true });
      for (let n = 2; n <= 1_000; n++) mkdirSync(`${base}-${n}`);
      assert.throws(() => makeDefaultOutDir(at), /^OutputFolderError: cannot write the report to isoconf-report\/2026-01-15T09-01-02-345Z: it and 999 numbered names after it exist already; give --out$/);
    });
  });

  it("checkOutputFolder refuses a place no file can be written in", () => {
    assert.throws(() => checkOutputFolder("/proc/nope/x"), /^OutputFolderError: cannot write the report to \/proc\/nope\/x: cannot write a file in \/proc \(E[A-Z]+\)$/);
  });

  it("makeOutputFolder: an existing folder serves --out, exclusive only a new one; checkOutputFolder makes nothing", () => {
    inEmptyFolder(() => {
      assert.equal(makeOutputFolder("a/b"), true);
      assert.equal(makeOutputFolder("a/b"), true, "--out may name a folder that exists");
      assert.equal(makeOutputFolder("a/b", { exclusive: true }), false);
      assert.equal(makeOutputFolder("a/c", { exclusive: true }), true, "a new folder under an existing parent");
      writeFileSync("file", "");
      assert.throws(() => makeOutputFolder("file", { exclusive: true }), /is a file, not a folder/);
      assert.ok(existsSync("a/c"));
      checkOutputFolder("isoconf-report/x");
      assert.ok(!existsSync("isoconf-report"), "checkOutputFolder makes nothing");
      assert.throws(() => checkOutputFolder("file/x"), /file is a file, not a folder/);
      assert.deepEqual(readdirSync(".").sort(), ["a", "file"], "and leaves no probe behind");
    });
  });
});
