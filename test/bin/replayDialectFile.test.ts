import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { ISOCONF_BIN } from "../helpers/builtCli.js";

/** The CLI in `cwd`, as a user runs it there. */
const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [ISOCONF_BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });

describe("a replay carries its dialect: the printed line reproduces with the dialect file gone", function () {
  this.timeout(120_000);

  it("run with a dialect file by relative path, delete the file, replay as the report prints it: the failure reproduces, and check judges its trace again", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-replay-dialect-"));
    const table = structuredClone(builtinDialect("iso87ascii").table);
    table.dialect = "lab-87";
    table.fields = table.fields.map((f) => (f.number === 12 ? { ...f, max_length: 12 } : f));
    writeFileSync(join(dir, "lab-87.json"), JSON.stringify(table));
    const run = cli(dir, ["run", "host", "-d", "./lab-87.json", "--bug", "wrong-stan-echo", "--only", "H-ECHO-1", "--runs", "20", "--seed", "1", "--out", "out"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const printed = /replay: npx isoconf (replay \S+)/.exec(run.stdout)?.[1];
    assert.ok(printed, run.stdout);
    const file = JSON.parse(readFileSync(join(dir, printed.split(" ")[1]), "utf8"));
    assert.equal(file.dialect, "lab-87");
    assert.equal(file.dialectTable.dialect, "lab-87", "the scenario file carries the table");
    rmSync(join(dir, "lab-87.json"));
    const replay = cli(dir, printed.split(" "));
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /the failure reproduces/);
    // check takes the table from the scenario file too: the trace's header only names the dialect.
    const scenarioPath = printed.split(" ")[1];
    const check = cli(dir, ["check", scenarioPath.replace(/\.scenario\.json$/, ".trace.jsonl"), "--scenario", scenarioPath]);
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /dialect lab-87[\s\S]*FAIL H-ECHO-1/);
  });

  it("a built-in dialect is named, not copied; a carried table that is broken is refused naming the file and the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-replay-dialect-"));
    const run = cli(dir, ["run", "host", "--bug", "wrong-stan-echo", "--only", "H-ECHO-1", "--runs", "20", "--seed", "1", "--out", "out"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const path = join(dir, "out", "H-ECHO-1.scenario.json");
    const file = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(file.dialectTable, undefined);
    file.dialectTable = { ...builtinDialect("cup").table, mti: { encoding: "ebcdic" } };
    writeFileSync(path, JSON.stringify(file));
    const replay = cli(dir, ["replay", "out/H-ECHO-1.scenario.json"]);
    assert.equal(replay.status, 2, replay.stdout + replay.stderr);
    assert.match(replay.stderr, /^isoconf: out\/H-ECHO-1\.scenario\.json \(dialectTable, the dialect cup it was found under\): mti: /);
    file.dialectTable = { ...builtinDialect("iso87ascii").table };
    writeFileSync(path, JSON.stringify(file));
    const other = cli(dir, ["replay", "out/H-ECHO-1.scenario.json"]);
    assert.equal(other.status, 2, other.stdout + other.stderr);
    assert.match(other.stderr, /^isoconf: out\/H-ECHO-1\.scenario\.json: its dialectTable is dialect iso87ascii, its dialect key says cup\n$/);
  });
});
