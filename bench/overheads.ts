import { spawnSync } from "node:child_process";
import { createCipheriv } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { computeMac, decryptKey, encryptKey } from "../src/iso8583/mac.js";
import { binary2 } from "../src/link/binary2.js";
import { Link } from "../src/link/link.js";
import { memoryTransportPair } from "../src/link/memoryTransport.js";
import { copyState, initialState, type TerminalState } from "../src/sim/terminal/terminalState.js";
import { fmt, opsPerSecond, roundTripRates } from "./measure.js";

/**
 * The in-process overheads issue 16 found by profiling, each fix measured against a baseline
 * that does what the code did before, in the same process, taking turns with it.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ratio = (a: number, b: number) => `**${(a / b).toFixed(2)}×**`;

// --- MAC: a kept CBC cipher per key against a new cipher per MAC --------------------------------

/** The MAB of a CUP 0200 purchase is about this long. */
const MAB = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff));
const KL = Buffer.from("0123456789ABCDEF", "hex");
const KR = Buffer.from("FEDCBA9876543210", "hex");

/** The CBC-MAC as mac.ts computed it before: a new cipher per call, finalised. */
function freshCipherCbcMac(key: Buffer, data: Buffer): Buffer {
  const name = key.length === 24 ? "des-ede3-cbc" : "des-ede-cbc";
  const cipher = createCipheriv(name, key.length === 8 ? Buffer.concat([key, key]) : key, Buffer.alloc(8));
  cipher.setAutoPadding(false);
  const padded = Buffer.alloc(Math.max(8, Math.ceil(data.length / 8) * 8));
  data.copy(padded);
  const out = Buffer.concat([cipher.update(padded), cipher.final()]);
  return out.subarray(out.length - 8);
}

/** The CUP MAC as mac.ts computed it before: E1 = E(H1), then E2 = E(E1 ⊕ H2), each a call of a kept ECB cipher. */
function twoCallCupEcbMac(key: Buffer, mab: Buffer): Buffer {
  const r = Buffer.alloc(8);
  for (let i = 0; i < mab.length; i++) r[i % 8] ^= mab[i];
  const h = Buffer.from(r.toString("hex").toUpperCase(), "ascii");
  const e1 = encryptKey(key, h.subarray(0, 8));
  for (let i = 0; i < 8; i++) e1[i] ^= h[8 + i];
  return Buffer.from(encryptKey(key, e1).toString("hex").toUpperCase().slice(0, 8), "ascii");
}

function macRows(): string[] {
  const double = Buffer.concat([KL, KR]);
  const cases = [
    { name: "x9.19 (16-byte key); before: a new CBC cipher per MAC", kept: () => computeMac("x9.19", double, MAB), fresh: () => encryptKey(KL, decryptKey(KR, freshCipherCbcMac(KL, MAB))) },
    { name: "x9.9 (16-byte key, 3DES); before: a new CBC cipher per MAC", kept: () => computeMac("x9.9", double, MAB), fresh: () => freshCipherCbcMac(double, MAB) },
    { name: "cup-ecb (16-byte key); before: two calls of a kept ECB cipher", kept: () => computeMac("cup-ecb", double, MAB), fresh: () => twoCallCupEcbMac(double, MAB) },
  ];
  const rows = ["| algorithm | now, MACs/s | before (reproduced), MACs/s | ratio |", "|---|---|---|---|"];
  for (const c of cases) {
    if (!c.kept().equals(c.fresh())) throw new Error(`${c.name}: the baseline computes another MAC`);
    const kept = opsPerSecond(c.kept);
    const fresh = opsPerSecond(c.fresh);
    rows.push(`| ${c.name} | ${fmt(kept)} | ${fmt(fresh)} | ${ratio(kept, fresh)} |`);
  }
  return rows;
}

// --- Link close: no Error built when nothing will throw it --------------------------------------

const framing = binary2();
const BODY = Buffer.from("0200 a purchase");
let sink: unknown;

/** Opens a memory link pair, sends one frame across, closes both ends: `count` times. */
async function linkLifecycles(count: number, errorsPerClose: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const [a, b] = memoryTransportPair();
    const kit = new Link(a, { framing });
    const sut = new Link(b, { framing });
    await kit.send(BODY);
    await sut.receive({ deadlineMs: 1000 });
    await Promise.all([kit.close(), sut.close()]);
    // Before, each end's destroy built a "peer closed" Error that, with no write held back, went nowhere.
    for (let e = 0; e < errorsPerClose; e++) sink = new Error("peer closed");
  }
}

async function closeRows(): Promise<string[]> {
  const rates = await roundTripRates({ now: (n) => linkLifecycles(n, 0), before: (n) => linkLifecycles(n, 2) });
  return [
    "| memory link pair: open, one frame, close both | lifecycles/s |",
    "|---|---|",
    `| now (an Error only for a write the close fails) | ${fmt(rates.now)} |`,
    `| before, reproduced: the same plus the two Errors each close built | ${fmt(rates.before)} |`,
    "",
    `Ratio ${ratio(rates.now, rates.before)}.`,
  ];
}

// --- Terminal state: copy what changes in place, not the whole state -----------------------------

/** A terminal mid-batch: ten approved sales and a pending reversal, as a long scenario leaves it. */
function busyState(): TerminalState {
  const card = { pan: "6222021234567890123", expiry: "3012", track2: "6222021234567890123D30121010000000000" };
  const fields: Record<string, string> = { "2": card.pan, "3": "000000", "4": "000000000500", "11": "000011", "14": "3012", "22": "021", "25": "00", "35": card.track2, "41": "TERM0001", "42": "123456789012345", "49": "156", "60": "22000001000" };
  return {
    ...initialState(),
    stan: 11,
    signedOn: true,
    pending: { original: { mti: "0200", fields }, cause: "no_answer", attempts: 1 },
    transactions: Array.from({ length: 10 }, (_, i) => {
      const stan = String(i + 1).padStart(6, "0");
      return { op: "purchase" as const, stan, amount: 500 + i, card, ref: { mti: "0200", stan, batch: "000001", date: "1126", transmission: "1126013000", rrn: `00000000${stan.slice(2)}`, auth: "A00001" }, voided: false };
    }),
  };
}

function stateRows(): string[] {
  const state = busyState();
  const copied = opsPerSecond(() => (sink = copyState(state)));
  const cloned = opsPerSecond(() => (sink = structuredClone(state)));
  return [
    "| a save's copy of a terminal state (10 sales and a pending reversal) | copies/s |",
    "|---|---|",
    `| copyState: the record, the journal entry, the batch list and its entries | ${fmt(copied)} |`,
    `| structuredClone of the whole state (before) | ${fmt(cloned)} |`,
    "",
    `Ratio ${ratio(copied, cloned)}; the terminal saves two to four times per transaction.`,
  ];
}

// --- CLI start-up: what a command loads before it runs ---------------------------------------------

const CLI = "dist/bin/isoconf.js";
const SPAWNS = 15;
const RUN_ONE = ["run", "host", "--runs", "1", "--seed", "1", "--quiet", "--out", join(tmpdir(), "isoconf-bench-startup")];

/** What bin/isoconf.ts loaded before any command, before the fix: the error classes' modules. */
const REPORT_MODULES = ["src/iso8583/dialect.js", "src/iso8583/errors.js", "src/link/linkError.js", "api/usageError.js", "reports/scenarioFile.js", "src/trace/traceFile.js", "src/runner/property.js"];

/** Node arguments that load `modules` (under dist/, or packages), then run the CLI with `args`: start-up as it was. */
function preloaded(modules: readonly string[], args: readonly string[]): string[] {
  const imports = modules.map((m) => `await import(${JSON.stringify(m.includes("/") ? `./dist/${m}` : m)});`).join(" ");
  return ["--input-type=module", "-e", `${imports} process.argv.splice(1, Infinity, ${JSON.stringify(CLI)}, ...${JSON.stringify(args)}); await import("./${CLI}");`];
}

function startupRows(): string[] {
  if (!existsSync(new URL(`../${CLI}`, import.meta.url))) throw new Error(`${CLI} is missing: run npm run build first`);
  const commands: { name: string; now: string[]; before?: string[] }[] = [
    { name: "node alone (`node -e 0`)", now: ["-e", "0"] },
    { name: "yargs alone (imported)", now: ["--input-type=module", "-e", 'await import("yargs")'] },
    { name: "`isoconf --version`", now: [CLI, "--version"], before: preloaded(REPORT_MODULES, ["--version"]) },
    { name: "`isoconf --help`", now: [CLI, "--help"], before: preloaded(REPORT_MODULES, ["--help"]) },
    { name: "`isoconf list`", now: [CLI, "list"], before: preloaded(REPORT_MODULES, ["list"]) },
    // serialport was loaded by the runner's modules, before any port was opened.
    { name: "`isoconf run --help` (loads the runner)", now: [CLI, "run", "--help"], before: preloaded(["serialport", ...REPORT_MODULES], ["run", "--help"]) },
    { name: "`isoconf run host --runs 1` (start-up, one scenario, the report) ¹", now: [CLI, ...RUN_ONE], before: preloaded(["serialport", ...REPORT_MODULES], RUN_ONE) },
  ];
  const runs = commands.flatMap((c) => (c.before ? [c.now, c.before] : [c.now]));
  const times = runs.map(() => [] as number[]);
  // Taking turns, so a busy moment of the machine slows every command alike.
  for (let round = 0; round < SPAWNS + 1; round++) {
    runs.forEach((args, i) => {
      const started = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
      if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
      if (round > 0) times[i].push(performance.now() - started); // round 0 warms the file cache
    });
  }
  const median = (args: string[]) => {
    const list = times[runs.indexOf(args)].sort((a, b) => a - b);
    return list[list.length >> 1];
  };
  return [
    `Wall time of a new process (\`node ${CLI}\`, after \`npm run build\`), median of ${SPAWNS} spawns taking turns. "Before" is`,
    "reproduced by loading first what the CLI loaded eagerly before the fix, then running the same command; ratio = before ÷ now.",
    "",
    "| command | now, ms | before (reproduced), ms | ratio |",
    "|---|---|---|---|",
    ...commands.map((c) => `| ${c.name} | ${median(c.now).toFixed(0)} | ${c.before ? median(c.before).toFixed(0) : "—"} | ${c.before ? ratio(median(c.before), median(c.now)) : "—"} |`),
    "",
    "¹ Its before leaves out the third start-up fix: yargs no longer renders the command's whole help before the",
    "handler runs, which only the old bin/isoconf.ts can show (see the two-build figures below).",
  ];
}

export async function overheadsBenchmark(): Promise<string> {
  return [
    "Each fix of issue 16's profiling against a baseline doing what the code did before, in the same process, one core, medians of 7 rounds of 300 ms.",
    "",
    "### MAC: one kept CBC cipher per key, one cipher call per MAC (64-byte MAB)",
    "",
    ...macRows(),
    "",
    "### Connection close",
    "",
    ...(await closeRows()),
    "",
    "### Reference terminal state",
    "",
    ...stateRows(),
    "",
    "### CLI start-up",
    "",
    ...startupRows(),
    "",
  ].join("\n");
}
