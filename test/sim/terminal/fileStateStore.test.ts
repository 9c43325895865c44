import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileStateStore } from "../../../src/sim/terminal/fileStateStore.js";
import { initialState, type TerminalState } from "../../../src/sim/terminal/terminalState.js";

describe("fileStateStore", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "isoconf-state-"));
    path = join(dir, "state.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pending: TerminalState = {
    ...initialState(),
    stan: 7,
    pending: { original: { mti: "0200", fields: { "4": "000000000500", "11": "000007" } }, cause: "bad_mac", attempts: 1 },
  };

  it("loads nothing before the first save, then exactly what was saved", async () => {
    const store = fileStateStore(path);
    assert.equal(await store.load(), undefined);
    await store.save(pending);
    assert.deepEqual(await fileStateStore(path).load(), pending);
  });

  it("replaces the file whole, leaves no temporary file behind, and keeps it private to its owner", async () => {
    const store = fileStateStore(path);
    await Promise.all([1, 2, 3].map((stan) => store.save({ ...pending, stan })));
    assert.equal((await store.load())?.stan, 3);
    assert.deepEqual(readdirSync(dir), ["state.json"]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("refuses a damaged file, naming it", async () => {
    writeFileSync(path, "{ half a");
    await assert.rejects(fileStateStore(path).load(), { message: `terminal state ${path} is not JSON: remove it to start afresh` });
    writeFileSync(path, JSON.stringify({ ...pending, stan: "7" }));
    await assert.rejects(fileStateStore(path).load(), {
      message: `terminal state ${path} is not a terminal state file (stan: Invalid input: expected number, received string): remove it to start afresh`,
    });
    assert.ok(existsSync(path), "a damaged file is left for the user to look at");
  });

  it("a path it cannot write is an error naming it", async () => {
    const missing = join(dir, "missing", "state.json");
    await assert.rejects(fileStateStore(missing).save(pending), { message: `cannot write terminal state ${missing}: ENOENT` });
  });
});
