import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { hostScenario } from "../generators/hostScenario.js";
import { builtinDialect } from "../src/iso8583/builtinDialects.js";
import { framingByName } from "../src/link/framingByName.js";
import { referenceHostTarget } from "../src/roles/referenceHostTarget.js";
import { tcpHostTarget } from "../src/roles/tcpTargets.js";
import { runScenario, type ScenarioContext } from "../src/runner/runScenario.js";
import { SCENARIO_EPOCH } from "../src/scenario/epoch.js";
import type { HostScenario } from "../src/scenario/scenario.js";
import { VirtualClock } from "../src/link/virtualClock.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../src/sim/defaults.js";
import { HOST_BUGS, hostBug, hostBugAcrossRun } from "../src/sim/host/bugs.js";
import { keptHostTarget } from "../test/helpers/keptHost.js";
import { dialectFor } from "../test/helpers/profiledDialect.js";
import { ReferenceHost } from "../src/sim/host/referenceHost.js";
import { runHostSuite } from "../test/helpers/hostRun.js";
import { runTerminalSuite } from "../test/helpers/terminalRun.js";
import { referenceTerminalTarget } from "../src/roles/referenceTerminalTarget.js";
import { TERMINAL_BUGS } from "../src/sim/terminal/bugs.js";
import { counterexampleOf, foundAfterOf, type SuiteResult } from "../src/runner/suiteResult.js";
import { fmt } from "./measure.js";
import type { TraceEvent } from "../src/trace/traceEvent.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const dialect = builtinDialect("cup");
const tmk = Buffer.from(DEFAULT_TMK, "hex");

/** Ten-step scenarios of the default mix, optionally without faults (faults cost real waits over TCP). */
function tenStepScenarios(count: number, faultRate: number, seed = 4242): HostScenario[] {
  const arb = hostScenario({ terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL], minSteps: 10, maxSteps: 10, faultRate });
  return fc.sample(arb, { numRuns: count, seed }) as HostScenario[];
}

/** Scenarios the TCP comparison runs untimed before it times the kit. */
const WARM_UP_SCENARIOS = 50;

function context(target: ScenarioContext["target"], timeoutMs = 30_000): ScenarioContext {
  return { dialect, target, responseTimeoutMs: timeoutMs, registeredTerminals: REGISTERED_TERMINALS, tmk };
}

/**
 * Per seeded bug: how soon the full suite finds it, how it shrinks, how long it takes. `run`
 * runs the whole suite against the reference SUT with that bug.
 */
async function bugTable(bugs: readonly { name: string; violates: readonly string[] }[], run: (bug: string) => Promise<SuiteResult>): Promise<string[]> {
  const rows = ["| seeded bug | property | found after (scenarios) | shrink runs | final steps | wall time |", "|---|---|---|---|---|---|"];
  for (const bug of bugs) {
    const started = performance.now();
    const r = await run(bug.name);
    const p = r.properties.find((x) => x.id === bug.violates[0])!;
    const cx = counterexampleOf(p);
    rows.push(`| ${bug.name} | ${p.id} ${p.verdict} | ${foundAfterOf(p) ?? "—"} | ${cx?.shrinkRuns ?? "—"} | ${cx?.scenario.steps.length ?? "—"} | ${((performance.now() - started) / 1000).toFixed(1)} s |`);
  }
  return rows;
}

/** The runner in-process against the reference host, next to the host alone on the same requests. */
async function inProcess(): Promise<string[]> {
  const scenarios = tenStepScenarios(500, 0.3);
  const ctx = context(referenceHostTarget(dialect));
  const frames: Buffer[][] = [];
  let requests = 0;
  const started = performance.now();
  for (const s of scenarios) {
    const trace = await runScenario(s, ctx);
    const sent = trace.flatMap((e) => (e.dir === "kit→sut" && e.kind === "frame" ? [Buffer.from(e.bytes, "hex")] : []));
    requests += sent.length;
    frames.push(sent);
  }
  const kitSecs = (performance.now() - started) / 1000;
  // Baseline: the same request frames straight into a fresh host per scenario, no kit, no links.
  const baseStarted = performance.now();
  for (const list of frames) {
    const host = new ReferenceHost(dialect, { clock: new VirtualClock(), epoch: SCENARIO_EPOCH });
    for (const f of list) host.handle(f);
  }
  const hostSecs = (performance.now() - baseStarted) / 1000;
  return [
    "| in-process, 500 scenarios of 10 steps (cup, 30% faults) | scenarios/s | transactions/s |",
    "|---|---|---|",
    `| isoconf runner + reference host | **${fmt(scenarios.length / kitSecs)}** | ${fmt(requests / kitSecs)} |`,
    `| baseline: reference host alone on the same ${fmt(requests)} frames | — | ${fmt(requests / hostSecs)} |`,
    "",
    `Target: ≥ 500 scenarios of 10 steps per second in-process.`,
  ];
}

/** Starts `isoconf sim host` (with `extra` flags) as a process and returns its URL and a stop function. */
export async function hostProcess(extra: readonly string[] = []): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/isoconf.ts", "sim", "host", "--listen", "tcp://127.0.0.1:0", "--dialect", "cup", ...extra], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sim host did not start")), 30_000);
    child.stdout.on("data", (b: Buffer) => {
      const m = /listening (tcp:\/\/\S+)/.exec(b.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/** A frame the kit sent, with the scenario and the connection (within that scenario) it went on. */
interface SentFrame {
  scenario: number;
  conn: string;
  bytes: Buffer;
}

/**
 * Replays frames over raw sockets (2-byte length framing by hand), each after the last answer,
 * opening and closing connections as the kit did: one per connection of each scenario's trace.
 * Returns ms per transaction.
 */
async function rawRoundTrips(url: string, frames: SentFrame[]): Promise<number> {
  const { hostname, port } = new URL(url);
  const open = async () => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    await new Promise((r) => socket.once("connect", r));
    const link = { socket, pending: Buffer.alloc(0), wake: undefined as (() => void) | undefined };
    socket.on("data", (chunk: Buffer) => {
      link.pending = Buffer.concat([link.pending, chunk]);
      link.wake?.();
    });
    return link;
  };
  const started = performance.now();
  let links = new Map<string, Awaited<ReturnType<typeof open>>>();
  let scenario = -1;
  for (const f of frames) {
    if (f.scenario !== scenario) {
      for (const l of links.values()) l.socket.destroy();
      links = new Map();
      scenario = f.scenario;
    }
    let link = links.get(f.conn);
    if (link === undefined) links.set(f.conn, (link = await open()));
    const header = Buffer.alloc(2);
    header.writeUInt16BE(f.bytes.length);
    link.socket.write(Buffer.concat([header, f.bytes]));
    const l = link;
    while (l.pending.length < 2 || l.pending.length < 2 + l.pending.readUInt16BE(0)) await new Promise<void>((r) => (l.wake = r));
    l.pending = l.pending.subarray(2 + l.pending.readUInt16BE(0));
  }
  const ms = performance.now() - started;
  for (const l of links.values()) l.socket.destroy();
  return ms / frames.length;
}

/** The frames the kit sent in scenario `i`, added to `into`. */
function sentFrames(i: number, trace: readonly TraceEvent[], into: SentFrame[]): void {
  for (const e of trace) if (e.dir === "kit→sut" && e.kind === "frame" && e.bytes) into.push({ scenario: i, conn: e.conn ?? "", bytes: Buffer.from(e.bytes, "hex") });
}

/** The runner's ms per transaction over TCP to a fresh host process, and the frames it sent. */
async function kitRoundTrips(): Promise<{ ms: number; frames: SentFrame[]; warmUp: SentFrame[] }> {
  const frames: SentFrame[] = [];
  const warmUp: SentFrame[] = [];
  const host = await hostProcess();
  try {
    const target = tcpHostTarget(host.url, { framing: framingByName("binary2") });
    const ctx = { ...context(target, 5_000), counters: new Map() };
    const scenarios = tenStepScenarios(100, 0);
    // Warm-up, untimed: the first scenarios run the kit's code cold (JIT), which a raw client's
    // few lines hardly know; a lab's run of hundreds of scenarios is warm almost throughout.
    for (const [i, s] of tenStepScenarios(WARM_UP_SCENARIOS, 0, 7).entries()) sentFrames(i, await runScenario(s, ctx), warmUp);
    const started = performance.now();
    for (const [i, s] of scenarios.entries()) {
      sentFrames(i, await runScenario(s, ctx), frames);
    }
    return { ms: (performance.now() - started) / frames.length, frames, warmUp };
  } finally {
    host.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The runner over TCP to the host as a process, next to a raw socket client sending the same
 * frames on the same connections (a fresh host process each, which so does the same work and
 * gives the same answers). Rounds alternate the two; the medians are compared, as loopback
 * timings on a shared machine move by tens of percent from one run to the next.
 */
async function overTcp(): Promise<string[]> {
  const ROUNDS = 3;
  const kit: number[] = [];
  const raw: number[] = [];
  let frames: SentFrame[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const run = await kitRoundTrips();
    kit.push(run.ms);
    frames = run.frames;
    const rawHost = await hostProcess();
    try {
      // The host warmed up as the kit's was, by the kit's warm-up frames, untimed.
      await rawRoundTrips(rawHost.url, run.warmUp);
      raw.push(await rawRoundTrips(rawHost.url, frames));
    } finally {
      rawHost.stop();
    }
  }
  const connections = new Set(frames.map((f) => `${f.scenario}/${f.conn}`)).size;
  const range = (xs: number[]) => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
  return [
    `| over TCP to \`isoconf sim host\` (cup, 100 scenarios of 10 steps, no faults, after ${WARM_UP_SCENARIOS} untimed ones on the same host; median of ${ROUNDS} alternating rounds) | ms per transaction |`,
    "|---|---|",
    `| isoconf runner (decodes, records, checks nothing) | ${range(kit)} |`,
    `| baseline: raw socket client sending the same ${fmt(frames.length)} frames on the same ${fmt(connections)} connections | ${range(raw)} |`,
    "",
    `The runner adds **${Math.round((median(kit) / median(raw) - 1) * 100)}%** to the host's round-trip time (target: at most 20%).`,
  ];
}

/** Heap over a 10,000-scenario run: a passing scenario's trace must not be kept. */
async function memory(): Promise<string[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { at: number; mb: number }[] = [];
  const sample = (at: number) => {
    gc?.();
    samples.push({ at, mb: process.memoryUsage().heapUsed / 2 ** 20 });
  };
  sample(0);
  let next = 1000;
  const started = performance.now();
  const r = await runHostSuite(dialect, referenceHostTarget(dialect), {
    runs: 10_000,
    seed: 99,
    onProgress: (p) => {
      if (p.scenarios >= next) {
        next += 1000;
        sample(p.scenarios);
      }
    },
  });
  const secs = (performance.now() - started) / 1000;
  const peak = Math.max(...samples.map((s) => s.mb));
  return [
    `10,000 scenarios in-process (cup, default mix): ${fmt(r.scenarios / secs)} scenarios/s, ${fmt(r.requests / secs)} requests/s, verdicts all pass: ${r.properties.every((p) => p.verdict === "pass")}.`,
    "",
    "| scenarios done | " + samples.map((s) => fmt(s.at)).join(" | ") + " |",
    "|---|" + samples.map(() => "---").join("|") + "|",
    "| heap used after GC (MiB) | " + samples.map((s) => s.mb.toFixed(1)).join(" | ") + " |",
    "",
    `Peak ${peak.toFixed(1)} MiB${gc ? "" : " (no --expose-gc: samples include garbage)"}.`,
  ];
}

export async function runnerBenchmark(): Promise<string> {
  return [
    "### Seeded host bugs (full host suite, default settings, 200 scenarios, seed 42)",
    "",
    ...(await bugTable(HOST_BUGS, (bug) => {
      // A bug only balances show is looked for under CUP with balances in its profile; one only
      // the run's scenarios together show, against one host kept for the run, in 8 lanes.
      const d = dialectFor(hostBug(bug));
      if (hostBugAcrossRun(hostBug(bug))) return runHostSuite(d, keptHostTarget(d, bug), { runs: 200, seed: 42, lanes: { lanes: 8, registered: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] } });
      return runHostSuite(d, referenceHostTarget(d, { bug }), { runs: 200, seed: 42 });
    })),
    "",
    "### Seeded terminal bugs (full terminal suite, default settings, 200 scenarios, seed 42)",
    "",
    ...(await bugTable(TERMINAL_BUGS, (bug) => runTerminalSuite(dialect, referenceTerminalTarget(dialect, { bug }), { runs: 200, seed: 42 }))),
    "",
    "### Throughput",
    "",
    ...(await inProcess()),
    "",
    ...(await overTcp()),
    "",
    "### Memory",
    "",
    ...(await memory()),
  ].join("\n");
}
