import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostScenario, hostScenarioShape } from "../generators/hostScenario.js";
import { terminalScenario } from "../generators/terminalScenario.js";
import { DEFAULT_OUT_ROOT, makeDefaultOutDir, writeRunOutput } from "../reports/runOutput.js";
import { exitCodeOf, type ExitCode } from "../reports/exitCode.js";
import type { RecordedTarget } from "../reports/scenarioFile.js";
import { resolveDialect } from "../src/iso8583/builtinDialects.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { declineCodes, profileOf, rulesOf, unsupportedOperations } from "../src/protocol/index.js";
import type { Suite } from "../src/runner/property.js";
import { idMatches, runSuite, type Progress, type RunEvent, type RunSuiteOptions } from "../src/runner/runSuite.js";
import type { Shard, SuiteResult } from "../src/runner/suiteResult.js";
import { hostSuite } from "../suites/host/index.js";
import { terminalSuite } from "../suites/terminal/index.js";
import { hostTargetFrom } from "./hostTarget.js";
import { allLaneTerminals, type LanePlan } from "../src/runner/lanes.js";
import type { KitIdentity } from "./kitIdentity.js";
import { cardsFrom } from "./cards.js";
import { delimitsFrames } from "./runFraming.js";
import { HOST_FAULTS_ACROSS_FRAMES, HOST_RACES_ON_ONE_LINK } from "../generators/fault.js";
import { TERMINAL_FAULTS_ACROSS_FRAMES } from "../generators/terminalFault.js";
import { CARD_USES } from "../src/scenario/cardFile.js";
import { opsNoCardAllows } from "../generators/card.js";
import type { ListeningHostTarget } from "../src/roles/tcpTargets.js";
import { checkReachable, livenessProbe, signOnCheck, terminalIdCheck } from "./preflight.js";
import { fitsDialect, kitIdentity, registryOf } from "./kitIdentity.js";
import { loadSuite } from "./loadSuite.js";
import { checkRunOptions, type RunConfig, type RunOptions } from "./runOptions.js";
import { EXEC_FLAGS, terminalTargetFrom } from "./terminalTarget.js";
import { UsageError } from "./usageError.js";
import { checkOutputFolder, makeOutputFolder, OutputFolderError } from "../reports/outputFolder.js";

/** Response timeout: a real device gets the CUP default of 30 s; the virtual clock makes it free in-process. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RUNS = 100;
export const DEFAULT_MAX_STEPS = 10;
export const DEFAULT_DIALECT = "cup";

/** What a caller watches while the run goes: the console, a mocha reporter, nothing. */
export interface RunHooks {
  onProgress?: (p: Progress) => void;
  onEvent?: (e: RunEvent) => void;
  /** What the run is waiting for before its first scenario, such as a SUT that is to connect. */
  onNotice?: (text: string) => void;
  /** Checked between scenarios: true stops the run, which still writes its (partial) report. */
  interrupted?: () => boolean;
}

export interface RunOutcome {
  /** As the runner found it; card data in clear. */
  result: SuiteResult;
  /** As the report holds it: masked unless `mask` is false. */
  written: SuiteResult;
  dialect: Dialect;
  /** The output folder. */
  out: string;
  waivers: ReadonlyMap<string, string>;
  /** Waived properties that passed: the waiver is stale (tlsfuzzer's XPASS) and fails the run. */
  stale: string[];
  /** 0 nothing failed, 1 a failure not waived or a stale waiver, 2 stopped by Ctrl-C or by a scenario the kit could not run. */
  exitCode: ExitCode;
}

/** Weight 0 for each of `kinds`, unless `on`: the faults a run cannot carry turned off. */
const offUnless = <K extends string>(on: boolean, kinds: readonly K[]): Partial<Record<K, number>> | undefined =>
  on ? undefined : (Object.fromEntries(kinds.map((k) => [k, 0])) as Partial<Record<K, number>>);

/** `--only`/`--skip` patterns and waivers that name no property are typos: a run that checks nothing must not pass. */
function checkSelection(suite: Suite, o: Pick<RunConfig, "only" | "skip" | "waivers">): void {
  const ids = suite.properties.map((p) => p.id);
  for (const [flag, patterns] of [["--only", o.only], ["--skip", o.skip]] as const) {
    for (const p of patterns ?? []) if (!ids.some((id) => idMatches(id, [p]))) throw new UsageError(`${flag} ${p}: no property of the ${suite.name} suite is or starts with it (see isoconf list)`);
  }
  for (const w of o.waivers ?? []) if (!ids.includes(w.id)) throw new UsageError(`waivers: ${w.id} is not a property of the ${suite.name} suite`);
}

/** The flags that describe the other role's SUT: given by mistake, they would be silently ignored. */
const ROLE_FLAGS = {
  host: ["terminals", "unregistered"],
  terminal: ["tid", "reversal-attempts", "serial", "control", "ecr", "restart-cmd", "idle-ms", ...(Object.keys(EXEC_FLAGS) as (keyof typeof EXEC_FLAGS)[])],
} satisfies Record<"host" | "terminal", readonly (keyof RunConfig)[]>;

function rejectOtherRolesFlags(role: "host" | "terminal", o: RunConfig): void {
  const other = role === "host" ? "terminal" : "host";
  const given = (ROLE_FLAGS[other] as readonly (keyof RunConfig)[]).filter((k) => o[k] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map((k) => `--${k}`).join(", ")} describe${given.length === 1 ? "s" : ""} the ${other} role (run ${other}), not run ${role}`);
}

/** `--shard 2/4` → `{ index: 2, count: 4 }`; a shard needs the seed every shard shares. */
function shardOf(text: string | undefined, seed: number | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const [index, count] = text.split("/").map(Number);
  if (!(index >= 1 && index <= count)) throw new UsageError(`--shard ${text}: expected i/n with 1 <= i <= n`);
  if (seed === undefined) throw new UsageError("--shard needs --seed: every shard must generate the same scenarios (in CI, e.g. --seed $GITHUB_RUN_ID)");
  return { index, count };
}

/**
 * Everything `isoconf run` does but the console: checks the options, reaches the SUT (the
 * built-in reference SUT when no address is given), runs the suite and writes the output folder.
 * The library's entry point, and `isoconf/mocha`'s.
 */
export async function runConformance(options: RunOptions, hooks: RunHooks = {}): Promise<RunOutcome> {
  const { role, suite: suiteOption, ...rest } = options;
  if (role !== "host" && role !== "terminal") throw new UsageError(`role must be "host" or "terminal", got ${JSON.stringify(role)}`);
  const o = checkRunOptions(rest, { flags: true });
  const runs = o.runs ?? DEFAULT_RUNS;
  const dialect = resolveDialect(o.dialect ?? DEFAULT_DIALECT);
  // A dialect of your own without transaction rules is refused here, before anything runs.
  const rules = rulesOf(dialect);
  const timeout = o["timeout-ms"] ?? DEFAULT_TIMEOUT_MS;
  const shard = shardOf(o.shard, o.seed);
  const startedAt = new Date();
  const suite: Suite = suiteOption === undefined ? (role === "host" ? hostSuite : terminalSuite) : typeof suiteOption === "string" ? await loadSuite(suiteOption, role) : suiteOption;
  const attempts = o["reversal-attempts"] ?? rules.reversal.attempts;
  const maxSteps = o["max-steps"] ?? DEFAULT_MAX_STEPS;
  const withMac = dialect.table.mac !== null;
  const kit = kitIdentity(o, dialect);
  const cards = cardsFrom(o.cards);
  const lanes = lanePlanOf(o.concurrency, shard, role, kit, dialect, cards !== undefined);
  // The lanes' terminals, every one of them, for the built-in host to register (the pre-run sign-on runs in every lane).
  const laneKit = lanes === undefined ? kit : { ...kit, terminals: allLaneTerminals(lanes).registered };
  // With a card file, an operation none of its cards may be used for is left out of the run.
  const leaveOut = [...unsupportedOperations(dialect), ...opsNoCardAllows(cards?.cards, CARD_USES)];
  const cardConstraints = cards === undefined ? undefined : { file: cards.cards };
  // Under framing none each read is one frame: no fault that plays with frame boundaries.
  const framed = delimitsFrames(o.framing, dialect);
  checkSelection(suite, o);
  rejectOtherRolesFlags(role, o);
  // Checked before the SUT is touched: a report that cannot be written would lose the whole run.
  // The folder --out names is made now; a default one only when the report is written, so that a
  // run refused on the way leaves none behind.
  asUsage(() => {
    if (o.out === undefined) checkOutputFolder(DEFAULT_OUT_ROOT);
    else makeOutputFolder(o.out);
  });
  let sut: Pick<RunSuiteOptions, "target" | "scenarios" | "registeredTerminals" | "before" | "probe">;
  let recorded: RecordedTarget;
  let close: (() => Promise<void>) | undefined;
  if (role === "host") {
    const host = await hostTargetFrom(o, dialect, registryOf(laneKit), listenWaitMs(timeout, o["deadline-ms"]), cards?.cards);
    ({ recorded, close } = host);
    if (host.target.realTime && o.listen === undefined) await checkReachable(host.target);
    if ("firstConnection" in host.target) {
      try {
        await waitForHost(host.target as ListeningHostTarget, timeout, o["deadline-ms"], hooks.onNotice);
      } catch (e) {
        // Nobody came: the address is free again for the next attempt.
        await close?.();
        throw e;
      }
    }
    sut = {
      target: host.target,
      scenarios: hostScenario({ ...hostScenarioShape(dialect), terminals: kit.terminals, unregistered: [kit.unregistered], maxSteps, withMac, leaveOut, cards: cardConstraints, faults: offUnless(framed, profileOf(dialect).links === "shared" ? [...HOST_FAULTS_ACROSS_FRAMES, ...HOST_RACES_ON_ONE_LINK] : HOST_FAULTS_ACROSS_FRAMES) }),
      registeredTerminals: kit.terminals,
      // The built-in host knows the kit's terminals by construction; a host of your own may not.
      before: host.target.realTime && profileOf(dialect).signOn === "kit" ? signOnCheck(dialect, kit, (text) => hooks.onNotice?.(text)) : undefined,
      probe: livenessProbe(kit),
    };
  } else {
    const tid = o.tid ?? kit.terminals[0];
    fitsDialect(dialect, "41", tid, "--tid");
    const terminal = await terminalTargetFrom(o, dialect, { tid, responseTimeoutMs: timeout, reversalAttempts: attempts, merchant: kit.merchant, tmk: kit.tmk });
    ({ recorded, close } = terminal);
    sut = {
      target: terminal.target,
      scenarios: terminalScenario({
        maxSteps,
        withMac,
        reversalAttempts: attempts,
        restart: terminal.canRestart && o.control !== "passive",
        codes: declineCodes(dialect),
        faults: offUnless(framed, TERMINAL_FAULTS_ACROSS_FRAMES),
        // What the control adapter cannot have the terminal do is never asked: "not carried out" is no hang.
        leaveOut: [...leaveOut, ...(terminal.cannot ?? [])],
        cards: cardConstraints,
      }),
      registeredTerminals: [tid],
      before: terminal.steered === true ? terminalIdCheck(tid) : undefined,
    };
  }
  // Nothing moves until the SUT dials in, which may take a while: say what the kit waits for.
  if (o.listen !== undefined && role === "terminal") hooks.onNotice?.(`waiting for the ${role} to connect to ${o.listen}`);
  try {
    const { onNotice: _, ...runnerHooks } = hooks;
    const result = await runSuite({
      suite,
      dialect,
      ...sut,
      runs,
      seed: o.seed,
      shard,
      responseTimeoutMs: timeout,
      reversalAttempts: role === "terminal" ? attempts : undefined,
      tmk: kit.tmk,
      merchant: kit.merchant,
      cards: cards?.cards,
      lanes,
      only: o.only,
      skip: o.skip,
      deadlineMs: o["deadline-ms"],
      requireExercised: o["require-exercised"],
      ...runnerHooks,
    });
    const waivers = new Map((o.waivers ?? []).map((w) => [w.id, w.reason]));
    const mask = o.mask ?? true;
    const out = o.out ?? reportFolder(startedAt, shard ? `-shard-${shard.index}-of-${shard.count}` : "", hooks.onNotice);
    const written = await writeRunOutput(out, result, dialect, {
      runs,
      responseTimeoutMs: timeout,
      registeredTerminals: [...sut.registeredTerminals],
      merchant: kit.merchant,
      tmkKcv: kit.tmkKcv,
      maxSteps,
      ...(role === "terminal" ? { reversalAttempts: attempts } : {}),
      ...(cards !== undefined ? { cards: { file: cards.file, sha256: cards.sha256 } } : {}),
      ...(o.only ? { only: o.only } : {}),
      ...(o.skip ? { skip: o.skip } : {}),
      target: recorded,
      mask,
      startedAt,
      waivers,
    });
    // A terminal that never reached the kit passes every property over nothing: not a pass.
    if (role === "terminal" && sut.target.realTime && result.scenarios > 0 && result.requests === 0 && !result.stopped) {
      throw new UsageError(`the terminal sent no request in ${result.scenarios} scenario(s): check that it reaches the kit (${recorded.url ?? sut.target.description}) and that the control adapter drives it (report in ${out})`);
    }
    const { code, stale } = exitCodeOf(result, waivers);
    return { result, written, dialect, out, waivers, stale, exitCode: code };
  } finally {
    await close?.();
  }
}

/**
 * The run's default folder, made as its report is written. Checked before the run, it may still
 * fail now (the disk filled, a dangling `isoconf-report` link): then a folder of the system's
 * temporary ones takes the report, and the notice says where, so no run's results are lost.
 */
function reportFolder(startedAt: Date, suffix: string, onNotice: ((text: string) => void) | undefined): string {
  try {
    return makeDefaultOutDir(startedAt, suffix);
  } catch (e) {
    if (!(e instanceof OutputFolderError)) throw e;
    const fallback = mkdtempSync(join(tmpdir(), "isoconf-report-"));
    onNotice?.(`${e.message}; the report goes to ${fallback} instead`);
    return fallback;
  }
}

/** `f`'s value; an output folder that cannot be used is the user's to fix (a `UsageError`, exit 2). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OutputFolderError) throw new UsageError(e.message);
    throw e;
  }
}

/** Lanes a card can tell apart (`cardInLane`: two digits of its PAN). */
const MAX_LANES_WITH_OWN_CARDS = 100;

/**
 * `--concurrency N`'s lanes (none for 1, unless a shard's): the run's terminals numbered on per
 * lane, a shard's lanes after those of the shards before it, each lane's checked against field
 * 41 and against every other lane's of every shard, before anything runs.
 */
function lanePlanOf(concurrency: number | undefined, shard: Shard | undefined, role: "host" | "terminal", kit: KitIdentity, dialect: Dialect, cardFile: boolean): LanePlan | undefined {
  // A shard with --concurrency (1 too) has lanes of its own, numbered on after the shards' before it.
  if (concurrency === undefined || (concurrency === 1 && (shard === undefined || role === "terminal"))) return undefined;
  if (role === "terminal") throw new UsageError(`--concurrency ${concurrency}: a terminal under test is one terminal, run one scenario at a time (run terminal takes no --concurrency)`);
  // One link for every terminal carries one scenario at a time: lanes would wait for links the host never dials (a shard's one lane is fine).
  if (concurrency > 1 && profileOf(dialect).links === "shared") throw new UsageError(`--concurrency ${concurrency}: dialect ${dialect.name}'s profile puts every terminal on one shared link, which carries one scenario at a time`);
  // Where balances are read, a card two lanes post to at once would move for both and blame the host: each lane has cards of its own.
  const ownCards = profileOf(dialect).balances !== "none";
  if (ownCards && cardFile) {
    const instead = concurrency > 1 ? "run one scenario at a time" : "run the shards one after another, without --concurrency";
    throw new UsageError(`--concurrency ${concurrency}: dialect ${dialect.name}'s profile reads card balances, and the cards of --cards are real test cards the lanes would share; leave out --cards, or ${instead}`);
  }
  const plan: LanePlan = { lanes: concurrency, registered: kit.terminals, unregistered: [kit.unregistered], ownCards, first: shard === undefined ? 0 : (shard.index - 1) * concurrency };
  // Every shard's lanes are checked, so that shards run at once never meet on a terminal.
  const whole: LanePlan = { ...plan, lanes: concurrency * (shard?.count ?? 1), first: 0 };
  if (ownCards && whole.lanes > MAX_LANES_WITH_OWN_CARDS) {
    throw new UsageError(`--concurrency ${concurrency}${shard ? ` over ${shard.count} shards` : ""}: ${whole.lanes} lanes, and where balances are read a card carries its lane in two digits: at most ${MAX_LANES_WITH_OWN_CARDS}`);
  }
  let all: ReturnType<typeof allLaneTerminals>;
  try {
    all = allLaneTerminals(whole);
  } catch (e) {
    throw new UsageError(`--concurrency ${concurrency}: ${(e as Error).message.replace(/^concurrency \d+: /, "")}`);
  }
  for (const tid of all.registered) fitsDialect(dialect, "41", tid, `--concurrency ${concurrency} (lane terminal)`);
  for (const tid of all.unregistered) fitsDialect(dialect, "41", tid, `--concurrency ${concurrency} (lane terminal)`);
  return plan;
}

/** How many response timeouts the kit waits for a host that dials in (`--listen`), before the run and for each connection after. */
const LISTEN_WAIT_TIMEOUTS = 3;

const listenWaitMs = (timeoutMs: number, deadlineMs: number | undefined) => Math.min(LISTEN_WAIT_TIMEOUTS * timeoutMs, deadlineMs ?? Infinity);

/**
 * A host that dials in must do so before the run starts: the kit waits a few response timeouts
 * (never past `--deadline-ms`) and stops with one line when nobody came, rather than spending a
 * connection wait on every request of every scenario.
 */
async function waitForHost(target: ListeningHostTarget, timeoutMs: number, deadlineMs: number | undefined, notice: ((text: string) => void) | undefined): Promise<void> {
  const waitMs = listenWaitMs(timeoutMs, deadlineMs);
  const where = target.description.replace(/^listening on /, "");
  notice?.(`waiting up to ${(waitMs / 1000).toFixed(1)} s for the host to connect to ${where}`);
  if (!(await target.firstConnection(waitMs))) {
    throw new UsageError(`nobody connected to ${where} within ${(waitMs / 1000).toFixed(1)} s (${LISTEN_WAIT_TIMEOUTS} response timeouts, or --deadline-ms when shorter): check that the host dials this address`);
  }
}
