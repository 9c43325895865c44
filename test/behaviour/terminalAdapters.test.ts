import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { terminalScenario } from "../../generators/terminalScenario.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { framingByName } from "../../src/link/framingByName.js";
import { tcpListen, type Listener } from "../../src/link/tcpListen.js";
import { ExecControl } from "../../src/roles/execControl.js";
import { externalTerminalTarget } from "../../src/roles/externalTerminalTarget.js";
import { PassiveControl } from "../../src/roles/passiveControl.js";
import type { TerminalControl } from "../../src/scenario/terminalControl.js";
import { describeStep, type TerminalScenario } from "../../src/scenario/scenario.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import { failures } from "../helpers/hostRun.js";
import { results, runTerminalSuite, terminalContext, wire } from "../helpers/terminalRun.js";
import { runCliAsync } from "../helpers/cli.js";
import { openPtyPair, type PtyPair, requireSocat } from "../link/support/ptyPair.js";
import { startSimTerminal } from "../roles/support/simTerminal.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const TIMEOUT_MS = 500;
const cup = builtinDialect("cup");

/** The `exec` templates of a vendor's command-line tool: the fixture sends one ECR command per run. */
function templates(line: string) {
  const tool = `${process.execPath} ${join(FIXTURES, "ecrCommand.mjs")} ${line}`;
  const card = "pan={pan} expiry={expiry} track2={track2}";
  return {
    purchase: `${tool} sale amount={amount} ${card}`,
    balance: `${tool} balance ${card}`,
    void: `${tool} void stan={stan}`,
    refund: `${tool} refund amount={amount} stan={stan} ${card}`,
    settlement: `${tool} settle`,
    signon: `${tool} signon`,
  };
}

const describeFailures = (r: Awaited<ReturnType<typeof runTerminalSuite>>) =>
  failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message} in ${p.counterexample?.scenario.steps.map((s) => describeStep(p.counterexample!.scenario, s)).join("; ")}`);

// The exec and passive control adapters, each against a terminal that is a separate program:
// `isoconf sim terminal` on its own process, its host link a TCP connection to the kit. exec runs
// a vendor-style command line per operation; passive leaves the terminal to a cashier script.
describe("terminal control adapters against a terminal in another process", function () {
  this.timeout(300_000);
  before(requireSocat);
  let pty: PtyPair | undefined;
  let listener: Listener | undefined;
  let control: TerminalControl | undefined;
  let stops: (() => Promise<void>)[] = [];
  let dir: string | undefined;

  async function terminal(bug?: string) {
    dir = mkdtempSync(join(tmpdir(), "isoconf-adapters-"));
    pty = await openPtyPair();
    listener = await tcpListen({ framing: framingByName(cup.table.framing) });
    const sim = await startSimTerminal({ ecr: pty.a, host: `tcp://127.0.0.1:${listener.address().port}`, dialect: "cup", timeoutMs: TIMEOUT_MS, state: join(dir, "pos.json"), bug });
    stops.push(() => sim.stop());
    return { pty, listener, sim };
  }

  afterEach(async () => {
    await control?.close();
    for (const stop of stops.reverse()) await stop();
    stops = [];
    await listener?.close();
    await pty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("exec: a correct terminal passes every property over 15 scenarios; results come from the tool's exit code and output", async () => {
    const t = await terminal();
    control = new ExecControl(templates(t.pty.b));
    const target = externalTerminalTarget({ line: { kind: "listen", listener: t.listener }, framing: framingByName(cup.table.framing), control });
    const r = await runTerminalSuite(cup, target, {
      runs: 15,
      seed: 5,
      responseTimeoutMs: TIMEOUT_MS,
      scenarios: terminalScenario({ restart: false, maxSteps: 6 }),
      shrink: { maxRuns: 10 },
    });
    assert.deepEqual(describeFailures(r), [], t.sim.log());
    assert.equal(r.scenarios, 15);
    // What the kit read from the tool: the outcome, and from its JSON line the code and STAN.
    const trace = await runScenario({ role: "terminal", steps: [{ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "purchase", amount: 600 }] }, terminalContext(cup, target, { responseTimeoutMs: TIMEOUT_MS }));
    assert.deepEqual(results(trace), ["signon:approved:00", "settlement:approved:00", "purchase:failed", "purchase:approved:00"]);
    assert.match(wire(trace), />0200\/(\d{6}) >0400\/\1\/98 <0410\/\1\/00 >0200/);
  });

  it("exec with a command line for sales only (run terminal --control exec --exec-sale …): the kit asks for nothing else, so nothing it could not ask is taken for a hang", async () => {
    const t = await terminal();
    const sale = templates(t.pty.b).purchase;
    const out = join(dir!, "report");
    const args = ["run", "terminal", "--listen", `tcp://127.0.0.1:${t.listener.address().port}`, "--control", "exec", "--exec-sale", sale, "--timeout-ms", String(TIMEOUT_MS), "--runs", "15", "--seed", "23", "--out", out, "--quiet"];
    // The kit listens itself: the test's listener gives its port up first.
    await t.listener.close();
    listener = undefined;
    const r = await runCliAsync(args, 300_000);
    // Before, a settlement step (and the setup's sign-on and settlement) came back "not carried out", and T-REV-1 failed on a correct terminal.
    assert.equal(r.status, 0, r.stdout + r.stderr + t.sim.log());
    assert.doesNotMatch(r.stdout, /FAIL/);
    assert.match(r.stdout, /ok   T-REV-1 /);
    assert.equal(new ExecControl({ purchase: sale }).cannot.join(" "), "signon balance void refund settlement");
  });

  it("exec: a terminal with a seeded bug is caught", async () => {
    const t = await terminal("accept-wrong-tid");
    control = new ExecControl(templates(t.pty.b));
    const target = externalTerminalTarget({ line: { kind: "listen", listener: t.listener }, framing: framingByName(cup.table.framing), control });
    const r = await runTerminalSuite(cup, target, {
      runs: 15,
      seed: 1,
      only: ["T-ECHO-1"],
      responseTimeoutMs: TIMEOUT_MS,
      scenarios: terminalScenario({ restart: false, maxSteps: 3, faults: { wrong_tid: 20 } }),
      shrink: { maxRuns: 3 },
    });
    assert.equal(r.properties.find((p) => p.id === "T-ECHO-1")?.verdict, "fail", t.sim.log());
  });

  it("passive: the terminal acts on its own (a cashier script); a correct one passes every property over 15 scenarios", async () => {
    const t = await terminal();
    const cashier: ChildProcess = spawn(process.execPath, [join(FIXTURES, "cashier.mjs"), t.pty.b], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    cashier.stdout!.on("data", (b: Buffer) => (log += b.toString()));
    cashier.stderr!.on("data", (b: Buffer) => (log += b.toString()));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          if (cashier.exitCode !== null) return resolve();
          cashier.once("exit", () => resolve());
          cashier.kill("SIGKILL");
        }),
    );
    control = new PassiveControl({ idleMs: 20_000 });
    const target = externalTerminalTarget({ line: { kind: "listen", listener: t.listener }, framing: framingByName(cup.table.framing), control });
    const r = await runTerminalSuite(cup, target, {
      runs: 15,
      seed: 9,
      responseTimeoutMs: TIMEOUT_MS,
      scenarios: terminalScenario({ restart: false, maxSteps: 6 }),
      shrink: { maxRuns: 10 },
    });
    assert.deepEqual(describeFailures(r), [], `${t.sim.log()}\ncashier:\n${log}`);
    assert.equal(r.scenarios, 15);
    // Step i is how the kit answers the terminal's i-th transaction request: no commands in the trace.
    const scenario: TerminalScenario = { role: "terminal", steps: [{ op: "purchase", fault: { kind: "drop" } }, { op: "purchase" }, { op: "purchase" }] };
    const ctx = terminalContext(cup, target, { responseTimeoutMs: TIMEOUT_MS });
    const trace = await runScenario(scenario, ctx);
    assert.equal(trace.filter((e) => e.kind === "control").length, 0);
    const stepped = trace.filter((e) => e.kind === "step" && e.step !== undefined && e.step >= 0).map((e) => e.step);
    assert.deepEqual(stepped, [0, 1, 2]);
    assert.equal(trace.find((e) => e.kind === "fault")?.detail?.fault, "drop");
    assert.deepEqual([...checkAll(terminalSuite.properties, scenario, trace, ctx).keys()], [], wire(trace));
  });
});
