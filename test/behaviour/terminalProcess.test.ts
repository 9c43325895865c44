import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { loadDialect } from "../../src/iso8583/dialect.js";
import { framingByName } from "../../src/link/framingByName.js";
import { tcpListen, type Listener } from "../../src/link/tcpListen.js";
import { EcrControl } from "../../src/roles/ecrControl.js";
import { externalTerminalTarget } from "../../src/roles/externalTerminalTarget.js";
import type { TerminalControl } from "../../src/scenario/terminalControl.js";
import { describeStep } from "../../src/scenario/scenario.js";
import { resultDeadlineMs } from "../../src/ecr/ecrProtocol.js";
import { runCli } from "../helpers/cli.js";
import { failures } from "../helpers/hostRun.js";
import { runTerminalSuite } from "../helpers/terminalRun.js";
import { openPtyPair, type PtyPair, requireSocat } from "../link/support/ptyPair.js";
import { startSimTerminal } from "../roles/support/simTerminal.js";

/** A port free a moment ago: the terminal is told where its host is before the kit listens there. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Short enough that 100 scenarios of real timeouts take a minute, long enough that the kit's answers are plainly in time. */
const TIMEOUT_MS = 500;

// The acceptance run over real links: `isoconf sim terminal` as its own process, steered over
// isoconf-ecr/1 on a socat pseudo-terminal pair, its ISO 8583 link a TCP connection to the kit.
// A restart step kills the process (as a power cut would) and starts it again on its state file.
describe("terminal suite against the reference terminal as a separate process (ECR over a pty, host link over TCP)", function () {
  this.timeout(600_000);
  before(requireSocat);
  let pty: PtyPair | undefined;
  let listener: Listener | undefined;
  let control: TerminalControl | undefined;
  let stopSim: (() => Promise<void>) | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await control?.close();
    await stopSim?.();
    await listener?.close();
    await pty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** `isoconf sim terminal` on a pty, told its host is a free port where the CLI run under test will listen. */
  async function terminalForCli(o: { bug?: string; tid?: string } = {}) {
    const folder = (dir ??= mkdtempSync(join(tmpdir(), "isoconf-terminal-process-")));
    const line = (pty = await openPtyPair());
    const port = await freePort();
    const running = await startSimTerminal({ ecr: line.a, host: `tcp://127.0.0.1:${port}`, dialect: "cup", timeoutMs: TIMEOUT_MS, state: join(folder, "pos.json"), ...o });
    stopSim = () => running.stop();
    return { port, running, ecr: line.b, dir: folder };
  }

  it("a correct terminal passes every property over 40 scenarios, restarts included", async () => {
    const d = builtinDialect("cup");
    dir = mkdtempSync(join(tmpdir(), "isoconf-terminal-process-"));
    pty = await openPtyPair();
    listener = await tcpListen({ framing: framingByName(d.table.framing) });
    const host = `tcp://127.0.0.1:${listener.address().port}`;
    const sim = { ecr: pty.a, host, dialect: "cup", timeoutMs: TIMEOUT_MS, state: join(dir, "pos.json") };
    let running = await startSimTerminal(sim);
    stopSim = () => running.stop();
    const ecr = await EcrControl.open(pty.b, { resultDeadlineMs: resultDeadlineMs(TIMEOUT_MS, 3) });
    let restarts = 0;
    control = {
      description: ecr.description,
      drives: true,
      canRestart: true,
      perform: (command) => ecr.perform(command),
      async restart() {
        restarts++;
        await running.stop("SIGKILL");
        running = await startSimTerminal(sim);
      },
      close: () => ecr.close(),
    };
    const target = externalTerminalTarget({ line: { kind: "listen", listener }, framing: framingByName(d.table.framing), control });
    const started = performance.now();
    // 40 real-time scenarios (about a dozen restarts) for the process boundary; false alarms over
    // many more are looked for in process (test/behaviour/terminalSuite.test.ts), where time is virtual.
    const r = await runTerminalSuite(d, target, { runs: 40, seed: 20261126, responseTimeoutMs: TIMEOUT_MS, shrink: { maxRuns: 20 } });
    const found = failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message} in ${p.counterexample?.scenario.steps.map((s) => describeStep(p.counterexample!.scenario, s)).join("; ")}`);
    assert.deepEqual(found, [], running.log());
    assert.equal(r.scenarios, 40);
    assert.ok(restarts > 0, "no scenario restarted the terminal");
    console.log(`      (40 scenarios, ${r.requests} requests, ${restarts} restarts in ${Math.round((performance.now() - started) / 1000)} s)`);
  });

  it("under a dialect file of a lab's (3-character codes, field 12 as YYMMDDhhmmss): no false alarm over 15 scenarios", async () => {
    const t = structuredClone(builtinDialect("iso87ascii").table) as any;
    t.dialect = "lab-terminal";
    t.fields = t.fields.map((f: { number: number }) => (f.number === 39 ? { ...f, max_length: 3 } : f.number === 12 ? { ...f, max_length: 12 } : f));
    const widen = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.padStart(3, "0")]));
    t.transactions.codes = widen(t.transactions.codes);
    t.transactions.reversal.reasons = widen(t.transactions.reversal.reasons);
    dir = mkdtempSync(join(tmpdir(), "isoconf-terminal-process-"));
    const file = join(dir, "lab-terminal.json");
    writeFileSync(file, JSON.stringify(t));
    const d = loadDialect(t, file);
    pty = await openPtyPair();
    listener = await tcpListen({ framing: framingByName(d.table.framing) });
    const running = await startSimTerminal({ ecr: pty.a, host: `tcp://127.0.0.1:${listener.address().port}`, dialect: file, timeoutMs: TIMEOUT_MS, state: join(dir, "pos.json") });
    stopSim = () => running.stop();
    const ecr = await EcrControl.open(pty.b, { resultDeadlineMs: resultDeadlineMs(TIMEOUT_MS, 3) });
    control = ecr;
    const target = externalTerminalTarget({ line: { kind: "listen", listener }, framing: framingByName(d.table.framing), control: ecr });
    const r = await runTerminalSuite(d, target, { runs: 15, seed: 11, responseTimeoutMs: TIMEOUT_MS, shrink: { maxRuns: 10 } });
    assert.deepEqual(failures(r).map((p) => p.id), [], running.log());
    assert.equal(r.scenarios, 15);
  });

  it("isoconf run terminal … --cards with PINs: the ECR line carries the cards without their PINs, and a correct terminal passes", async () => {
    dir = mkdtempSync(join(tmpdir(), "isoconf-terminal-process-"));
    const cards = join(dir, "cards.json");
    const pins = ["739146", "58203917"];
    writeFileSync(cards, JSON.stringify({
      format: "isoconf-cards/1",
      cards: [
        { pan: "6225880000000000006", expiry: "2812", pin: pins[0] },
        { pan: "6225880000000000014", expiry: "2812", track2: "6225880000000000014=2812101", pin: pins[1] },
      ],
    }));
    const { port, running, ecr } = await terminalForCli();
    const out = join(dir, "report");
    const args = ["run", "terminal", "--listen", `tcp://127.0.0.1:${port}`, "--control", "ecr", "--ecr", ecr, "--cards", cards, "--timeout-ms", String(TIMEOUT_MS), "--runs", "12", "--seed", "3", "--out", out, "--quiet"];
    const r = runCli(args, "", 300_000);
    // Before, every sale with a card of the file reached the terminal with a "pin" key isoconf-ecr/1 does not have, and was refused.
    assert.equal(r.status, 0, r.stdout + r.stderr + running.log());
    assert.match(r.stdout, /8 passed, 0 failed/);
    const written = readdirSync(out).map((f) => readFileSync(join(out, f), "utf8")).join("");
    for (const pin of pins) assert.doesNotMatch(written + running.log(), new RegExp(`"pin"|(?<!\\d)${pin}(?!\\d)`));
  });

  it("a terminal set up as another terminal ID than the kit's: one line before the run, exit 2, where every request got 97 and the run passed", async () => {
    const { port, running, ecr, dir: folder } = await terminalForCli({ tid: "TERM0002" });
    const r = runCli(["run", "terminal", "--listen", `tcp://127.0.0.1:${port}`, "--control", "ecr", "--ecr", ecr, "--timeout-ms", String(TIMEOUT_MS), "--runs", "5", "--out", join(folder, "report"), "--quiet"], "", 120_000);
    assert.equal(r.status, 2, r.stdout + r.stderr + running.log());
    assert.match(r.stderr, /the terminal sends terminal ID TERM0002 \(field 41\), and the kit is the host of TERM0001: give --tid TERM0002/);
  });

  it("isoconf run terminal --listen … --control ecr --ecr …: finds a seeded bug in the process, exit 1", async () => {
    const { port, running, ecr, dir: folder } = await terminalForCli({ bug: "no-reversal" });
    const out = join(folder, "report");
    const args = ["run", "terminal", "--listen", `tcp://127.0.0.1:${port}`, "--control", "ecr", "--ecr", ecr, "--timeout-ms", String(TIMEOUT_MS), "--only", "T-REV-1", "--runs", "20", "--seed", "1", "--out", out, "--quiet"];
    const r = runCli(args, "", 300_000);
    assert.equal(r.status, 1, r.stdout + r.stderr + running.log());
    assert.match(r.stdout, /FAIL T-REV-1/);
    assert.match(r.stdout, /target listening on tcp:\/\/127\.0\.0\.1:\d+, control ecr /);
    // The scenario file records how the terminal was steered: the printed replay needs no control flags.
    const recorded = JSON.parse(readFileSync(join(out, "T-REV-1.scenario.json"), "utf8")).target;
    assert.deepEqual(recorded.control, { control: "ecr", ecr });
    const replay = runCli(["replay", join(out, "T-REV-1.scenario.json"), "--timeout-ms", String(TIMEOUT_MS)], "", 120_000);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr + running.log());
    assert.match(replay.stdout, /the failure reproduces/);
  });
});
