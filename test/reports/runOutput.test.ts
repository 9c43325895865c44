import assert from "node:assert/strict";
import { defaultOutDir } from "../../reports/runOutput.js";

describe("reports/runOutput: defaultOutDir", () => {
  it("isoconf-report/<start time as a file name><suffix>, for run, its shards and merge alike", () => {
    const at = new Date(Date.UTC(2026, 0, 15, 9, 1, 2, 345));
    assert.equal(defaultOutDir(at), "isoconf-report/2026-01-15T09-01-02-345Z");
    assert.equal(defaultOutDir(at, "-shard-2-of-4"), "isoconf-report/2026-01-15T09-01-02-345Z-shard-2-of-4");
    assert.equal(defaultOutDir(at, "-merged"), "isoconf-report/2026-01-15T09-01-02-345Z-merged");
  });
});
