import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostSuite } from "../../suites/host/index.js";
import { parseStrictXml, type XmlElement } from "../reports/support/strictXml.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUNS = 40;
const bin = (path: string) => join(ROOT, "node_modules", path);

/**
 * A vendor's project as npm would lay it out: isoconf built from this checkout into
 * node_modules/isoconf (its package.json, its dist, its dependencies), and the README's example
 * spec as the vendor's test. What is tested is the published entry point, `isoconf/mocha`.
 */
function vendorProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "isoconf-vendor-"));
  const pkg = join(dir, "node_modules", "isoconf");
  mkdirSync(join(dir, "test"), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  const build = spawnSync(process.execPath, [bin("typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(pkg, "dist")], { encoding: "utf8", timeout: 120_000 });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  copyFileSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"), "dir");
  // The README's example as it is, with a shorter run: over real TCP a dropped answer costs a whole timeout.
  const example = readFileSync(join(ROOT, "examples/mocha/conformance.spec.mjs"), "utf8");
  const shorter = example.replace("runs: 200", `runs: ${RUNS}`).replace('"timeout-ms": 2000', '"timeout-ms": 400');
  assert.notEqual(shorter, example, "the example still sets runs and timeout-ms");
  writeFileSync(join(dir, "test", "conformance.spec.mjs"), shorter);
  return dir;
}

/** `mocha --reporter tap | tap-junit`, as the README has it; returns mocha's exit code, its TAP and the JUnit file. */
function mochaToJunit(dir: string, hostUrl: string) {
  const mocha = spawnSync(process.execPath, [bin("mocha/bin/mocha.js"), "--reporter", "tap", "--reporter-option", "tapVersion=13", "test/conformance.spec.mjs"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, HOST_UNDER_TEST: hostUrl },
  });
  // tap-junit exits 1 when a test failed, as mocha does; the JUnit file is written either way.
  const junit = spawnSync(process.execPath, [bin("tap-junit/bin/tap-junit"), "-o", "reports", "-n", "conformance.xml", "-s", "conformance"], { cwd: dir, input: mocha.stdout, encoding: "utf8", timeout: 60_000 });
  assert.equal(junit.status, mocha.status === 0 ? 0 : 1, junit.stderr);
  return { status: mocha.status, tap: mocha.stdout, stderr: mocha.stderr, xml: readFileSync(join(dir, "reports", "conformance.xml"), "utf8") };
}

/**
 * Test cases as tap-junit writes them, read with the strict XML reader (so the file must be
 * well-formed XML), by the property ID in mocha's full title (`isoconf host suite H-DUP-1 …`);
 * `failure` is the failure's message and text, undefined for a passing case.
 */
function testcases(xml: string): { id: string | undefined; name: string; failure: string | undefined }[] {
  const all: XmlElement[] = [];
  const walk = (e: XmlElement) => (e.name === "testcase" ? all.push(e) : e.children.forEach(walk));
  walk(parseStrictXml(xml));
  return all.map((c) => {
    const f = c.children.find((x) => x.name === "failure");
    return { id: /\b[HT]-[A-Z]+-\d+\b/.exec(c.attrs.name)?.[0], name: c.attrs.name, failure: f && `${f.attrs.message ?? ""}\n${f.text}` };
  });
}

describe("isoconf/mocha inside a vendor's mocha run, TAP through tap-junit to JUnit", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = vendorProject()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a correct host: one passing test case per property, mocha exits 0, and isoconf's own report is written", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--dialect", "iso87ascii"]);
    try {
      const r = mochaToJunit(dir, host.url);
      assert.equal(r.status, 0, r.tap + r.stderr);
      const cases = testcases(r.xml);
      assert.deepEqual(
        cases.map((c) => c.id),
        hostSuite.properties.map((p) => p.id),
      );
      for (const c of cases) assert.equal(c.failure, undefined, c.name);
      const summary = JSON.parse(readFileSync(join(dir, "reports", "isoconf", "summary.json"), "utf8"));
      assert.equal(summary.target, host.url);
      assert.equal(summary.figures.scenarios, RUNS);
    } finally {
      await stop(host.child);
    }
  });

  it("a host with a seeded bug: that property's test case fails with the evidence and the replay command; mocha fails", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--dialect", "iso87ascii", "--bug", "double-post-duplicate"]);
    try {
      const r = mochaToJunit(dir, host.url);
      const failing = testcases(r.xml).filter((c) => c.failure !== undefined);
      // A posted duplicate also unbalances the batch (H-SET-1); the bug's own property is H-DUP-1.
      assert.ok(failing.some((c) => c.id === "H-DUP-1"), failing.map((c) => c.name).join("\n"));
      const summary = JSON.parse(readFileSync(join(dir, "reports", "isoconf", "summary.json"), "utf8"));
      assert.deepEqual(
        failing.map((c) => c.id),
        summary.properties.filter((p: { verdict: string }) => p.verdict === "fail").map((p: { id: string }) => p.id),
        "the failing test cases are the report's failing properties",
      );
      assert.equal(r.status, failing.length, "mocha exits with the number of failures");
      for (const c of failing) {
        assert.match(c.failure!, new RegExp(`${c.id}: [\\s\\S]*steps:[\\s\\S]*expected: `));
        assert.match(c.failure!, new RegExp(`isoconf replay reports/isoconf/${c.id}\\.scenario\\.json`));
      }
      assert.match(readFileSync(join(dir, "reports", "isoconf", "H-DUP-1.md"), "utf8"), /H-DUP-1/);
    } finally {
      await stop(host.child);
    }
  });
});
