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
import { inLane } from "../src/runner/lanes.js";
import { countVerdicts } from "../reports/runOutput.js";
import { checkMac, packWithMac } from "../src/iso8583/macMessage.js";
import type { Message } from "../src/iso8583/message.js";
import { pack } from "../src/iso8583/pack.js";
import { tryUnpack } from "../src/iso8583/unpack.js";
import { macRequired } from "../src/protocol/macPolicy.js";
import { fmt, median } from "./measure.js";
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

/**
 * The runner in-process against the reference host, next to the host alone on the same requests,
 * in alternating rounds (medians and ranges: a shared machine moves one round by tens of percent).
 */
async function inProcess(): Promise<string[]> {
  const ROUNDS = 5;
  const scenarios = tenStepScenarios(500, 0.3);
  const ctx = context(referenceHostTarget(dialect));
  // Warm-up, untimed, as over TCP: the first few hundred scenarios run the code cold (JIT).
  for (const s of tenStepScenarios(WARM_UP_SCENARIOS * 4, 0.3, 7)) await runScenario(s, ctx);
  const kit: number[] = [];
  const kitTx: number[] = [];
  const alone: number[] = [];
  let requests = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const frames: Buffer[][] = [];
    requests = 0;
    const started = performance.now();
    for (const s of scenarios) {
      const trace = await runScenario(s, ctx);
      const sent = trace.flatMap((e) => (e.dir === "kit→sut" && e.kind === "frame" ? [Buffer.from(e.bytes, "hex")] : []));
      requests += sent.length;
      frames.push(sent);
    }
    const kitSecs = (performance.now() - started) / 1000;
    kit.push(scenarios.length / kitSecs);
    kitTx.push(requests / kitSecs);
    // Baseline: the same request frames straight into a fresh host per scenario, no kit, no links.
    const baseStarted = performance.now();
    for (const list of frames) {
      const host = new ReferenceHost(dialect, { clock: new VirtualClock(), epoch: SCENARIO_EPOCH });
      for (const f of list) host.handle(f);
    }
    alone.push(requests / ((performance.now() - baseStarted) / 1000));
  }
  const range = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
  return [
    `| in-process, 500 scenarios of 10 steps (cup, 30% faults), after ${WARM_UP_SCENARIOS * 4} untimed ones; median of ${ROUNDS} rounds | scenarios/s | transactions/s |`,
    "|---|---|---|",
    `| isoconf runner + reference host | **${range(kit)}** | ${range(kitTx)} |`,
    `| baseline: reference host alone on the same ${fmt(requests)} frames | — | ${range(alone)} |`,
    "",
    `Target: ≥ 500 scenarios of 10 steps per second in-process: ${median(kit) >= 500 ? "met" : "**not met**"}.`,
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

/** A frame the kit sent, with the connection (within its scenario) it went on, and its message. */
interface SentFrame {
  conn: string;
  bytes: Buffer;
  message: Message | undefined;
}

/** The frames the kit sent in a scenario's trace. */
function sentFrames(trace: readonly TraceEvent[]): SentFrame[] {
  return trace.flatMap((e) => (e.dir === "kit→sut" && e.kind === "frame" && e.bytes ? [{ conn: e.conn ?? "", bytes: Buffer.from(e.bytes, "hex"), message: e.message }] : []));
}

/**
 * Microseconds from each answer to the next request with no connection opened between, from a
 * trace's timestamps: at one lane, the path the runner's overhead turns on.
 */
function turnarounds(trace: readonly TraceEvent[]): number[] {
  const out: number[] = [];
  let answeredAt: number | undefined;
  for (const e of trace) {
    if (e.kind === "connect") answeredAt = undefined;
    else if (e.kind === "frame" && e.dir === "sut→kit") answeredAt = e.t;
    else if (e.kind === "frame" && e.dir === "kit→sut") {
      if (answeredAt !== undefined) out.push((e.t - answeredAt) * 1000);
      answeredAt = undefined;
    }
  }
  return out;
}

/** A MAC key for the least a terminal must do; the frames sent are the kit's, MACed under its keys. */
const LEAST_WORK_MAK = Buffer.from(DEFAULT_TMK, "hex");

/**
 * The least a terminal must do per exchange, done beside a raw replay: pack (and MAC) the request
 * before it goes, decode the answer (and check its MAC) when it comes. The results are dropped:
 * the bytes sent stay the kit's, so the host does the same work.
 */
const leastWork = {
  request(f: SentFrame): void {
    if (f.message !== undefined) void (macRequired(dialect, f.message) ? packWithMac(dialect, f.message, LEAST_WORK_MAK) : pack(dialect, f.message));
  },
  answer(body: Buffer): void {
    const m = tryUnpack(dialect, body);
    if (m?.fields["64"] !== undefined) checkMac(dialect, body, m, LEAST_WORK_MAK);
  },
};

/**
 * Replays one scenario's frames over raw sockets (2-byte length framing by hand), each after the
 * last answer, on one connection per connection of the kit's trace, closed at the end; with
 * `work`, doing it for each request and answer. `turns` collects its `turnarounds`.
 */
async function rawScenario(url: string, frames: readonly SentFrame[], work?: typeof leastWork, turns?: number[]): Promise<void> {
  const { hostname, port } = new URL(url);
  const open = async () => {
    const socket = createConnection({ host: hostname, port: Number(port), noDelay: true });
    await new Promise((r) => socket.once("connect", r));
    const link = { socket, pending: Buffer.alloc(0), wake: undefined as (() => void) | undefined };
    socket.on("data", (chunk: Buffer) => {
      link.pending = Buffer.concat([link.pending, chunk]);
      link.wake?.();
    });
    return link;
  };
  const links = new Map<string, Awaited<ReturnType<typeof open>>>();
  let answeredAt: number | undefined;
  for (const f of frames) {
    let link = links.get(f.conn);
    if (link === undefined) {
      links.set(f.conn, (link = await open()));
      answeredAt = undefined;
    }
    work?.request(f);
    const header = Buffer.alloc(2);
    header.writeUInt16BE(f.bytes.length);
    const frame = Buffer.concat([header, f.bytes]);
    if (answeredAt !== undefined) turns?.push((performance.now() - answeredAt) * 1000);
    link.socket.write(frame);
    const l = link;
    while (l.pending.length < 2 || l.pending.length < 2 + l.pending.readUInt16BE(0)) await new Promise<void>((r) => (l.wake = r));
    answeredAt = performance.now();
    const length = l.pending.readUInt16BE(0);
    work?.answer(l.pending.subarray(2, 2 + length));
    l.pending = l.pending.subarray(2 + length);
  }
  for (const l of links.values()) l.socket.destroy();
}

/** Client CPU (user + system) in ms since `from`. */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

/** Runs `run`, adding its wall and CPU time (ms) to `total`; its value and its wall time. */
async function timed<T>(total: { ms: number; cpu: number }, run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const ms = performance.now() - started;
  total.ms += ms;
  total.cpu += cpuMs(cpu);
  return { value, ms };
}

/** What a ratio of two times adds, in percent: 1.2 → "20%". */
const pct = (ratio: number) => `${Math.round((ratio - 1) * 100)}%`;

/** The loads the runner's overhead over TCP is measured at: one lane, and lanes at once. */
const LOADS = [1, 8] as const;
/** Times the comparison runs: one run's median round still moves by a third on a shared machine. */
const TCP_REPEATS = 3;

/** `overTcp` TCP_REPEATS times: the last run's table, and each load's median round in every run. */
async function overTcpRepeated(): Promise<string[]> {
  const runs: { table: string[]; ratios: number[] }[] = [];
  for (let i = 0; i < TCP_REPEATS; i++) runs.push(await overTcp());
  const perLoad = LOADS.map((lanes, i) => {
    const all = runs.map((r) => r.ratios[i]);
    return { lanes, all, middle: median(all) };
  });
  const loadName = (lanes: number) => (lanes === 1 ? "one lane" : `${lanes} lanes`);
  const met = perLoad.filter((l) => l.middle <= 1.2);
  const verdict = met.length === perLoad.length ? "met" : met.length === 0 ? "**not met**" : `**not met** (met at ${met.map((l) => loadName(l.lanes)).join(", ")} only)`;
  const figures = perLoad.map((l) => `${l.all.map(pct).join(", ")} at ${loadName(l.lanes)} (middle **${pct(l.middle)}**)`);
  return [
    ...runs[runs.length - 1].table,
    "",
    `The runner adds, in the median round of each of ${TCP_REPEATS} runs (the table is the last), ${figures.join("; ")} to the raw client's time (target: at most 20%): ${verdict}.`,
  ];
}

/**
 * The runner over TCP to the host as a process, side by side with a raw socket client sending
 * the same frames on the same connections to a second host process (which so does the same work
 * and gives the same answers), at one lane and with lanes at once (load). They take turns round
 * by round (each lane runs ROUND scenarios, then the raw client replays their frames, lane by
 * lane at once), so a shared machine's busy spells fall on both alike.
 */
async function overTcp(): Promise<{ table: string[]; ratios: number[] }> {
  const ROUND = 1;
  const SCENARIOS = 400;
  const [kitHost, rawHost, leastHost] = await Promise.all([hostProcess(), hostProcess(), hostProcess()]);
  const rows: string[] = [];
  const ratios: number[] = [];
  try {
    for (const lanes of LOADS) {
      const plan = { lanes, registered: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] };
      const ctxs = Array.from({ length: lanes }, () => ({ ...context(tcpHostTarget(kitHost.url, { framing: framingByName("binary2") }), 5_000), counters: new Map() }));
      const inLanes = (scenarios: readonly HostScenario[]) => scenarios.map((s, i) => ({ lane: i % lanes, scenario: inLane(s, plan, i % lanes) as HostScenario }));
      const turns = { kit: [] as number[], raw: [] as number[], least: [] as number[] };
      const kitRound = async (round: readonly { lane: number; scenario: HostScenario }[], measured = false) => {
        const traces = await Promise.all(ctxs.map(async (ctx, lane) => {
          const mine: TraceEvent[][] = [];
          for (const r of round) if (r.lane === lane) mine.push(await runScenario(r.scenario, ctx));
          return mine;
        }));
        if (measured) for (const t of traces.flat()) turns.kit.push(...turnarounds(t));
        return traces.map((lane) => lane.map(sentFrames));
      };
      const rawRound = (frames: SentFrame[][][], url = rawHost.url, work?: typeof leastWork, into?: number[]) => Promise.all(frames.map(async (lane) => {
        for (const f of lane) await rawScenario(url, f, work, into);
      }));
      const leastRound = (frames: SentFrame[][][], into?: number[]) => rawRound(frames, leastHost.url, leastWork, into);
      // Warm-up, untimed, on every host: a lab's run of hundreds of scenarios is warm almost throughout.
      const warm = await kitRound(inLanes(tenStepScenarios(WARM_UP_SCENARIOS, 0, 7)));
      await rawRound(warm);
      await leastRound(warm);
      const time = { kit: { ms: 0, cpu: 0 }, raw: { ms: 0, cpu: 0 }, least: { ms: 0, cpu: 0 } };
      const leastRatios: number[] = [];
      const roundRatios: number[] = [];
      let transactions = 0;
      let connections = 0;
      const scenarios = inLanes(tenStepScenarios(SCENARIOS, 0));
      for (let at = 0; at < scenarios.length; at += ROUND * lanes) {
        const kit = await timed(time.kit, () => kitRound(scenarios.slice(at, at + ROUND * lanes), true));
        const frames = kit.value;
        const raw = await timed(time.raw, () => rawRound(frames, rawHost.url, undefined, turns.raw));
        const least = await timed(time.least, () => leastRound(frames, turns.least));
        roundRatios.push(kit.ms / raw.ms);
        leastRatios.push(least.ms / raw.ms);
        for (const f of frames.flat()) {
          transactions += f.length;
          connections += new Set(f.map((x) => x.conn)).size;
        }
      }
      const per = (ms: number) => (ms / transactions).toFixed(3);
      // The median round's ratio: a busy spell of the shared machine moves a few rounds, not the middle one.
      const sorted = [...roundRatios].sort((a, b) => a - b);
      const ratio = median(sorted);
      ratios.push(ratio);
      const load = lanes === 1 ? "one lane" : `${lanes} lanes at once`;
      rows.push(
        `| ${load}: isoconf runner (decodes, records, checks nothing); from an answer to the next request ${Math.round(median(turns.kit))} µs (median) | ${per(time.kit.ms)} | ${per(time.kit.cpu)} | **${pct(ratio)}** (middle half of rounds ${pct(sorted[Math.floor(sorted.length / 4)])} to ${pct(sorted[Math.floor((3 * sorted.length) / 4)])}; all rounds together ${pct(time.kit.ms / time.raw.ms)}) |`,
        `| ${load}: raw socket client, the same ${fmt(transactions)} frames on the same ${fmt(connections)} connections; from an answer to the next request ${Math.round(median(turns.raw))} µs | ${per(time.raw.ms)} | ${per(time.raw.cpu)} | — |`,
        `| ${load}: the raw client doing the least a terminal must do (pack and MAC each request, decode each answer and check its MAC); from an answer to the next request ${Math.round(median(turns.least))} µs | ${per(time.least.ms)} | ${per(time.least.cpu)} | ${pct(median(leastRatios))} |`,
      );
    }
    const table = [
      `| over TCP to \`isoconf sim host\` (cup, ${SCENARIOS} scenarios of 10 steps, no faults, after ${WARM_UP_SCENARIOS} untimed ones; kit and baseline take turns every ${ROUND === 1 ? "scenario" : `${ROUND} scenarios`} a lane, each against its own host process) | wall ms per transaction | client CPU ms per transaction | runner adds (median round) |`,
      "|---|---|---|---|",
      ...rows,
    ];
    return { table, ratios };
  } finally {
    kitHost.stop();
    rawHost.stop();
    leastHost.stop();
  }
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
    `10,000 scenarios in-process (cup, default mix): ${fmt(r.scenarios / secs)} scenarios/s, ${fmt(r.requests / secs)} requests/s, verdicts ${Object.entries(countVerdicts(r)).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(", ")}.`,
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
    ...(await overTcpRepeated()),
    "",
    "### Memory",
    "",
    ...(await memory()),
  ].join("\n");
}
