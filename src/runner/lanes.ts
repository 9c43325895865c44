import fc from "fast-check";
import type { HostScenario, Scenario, ScenarioCard } from "../scenario/scenario.js";
import type { TraceEvent } from "../trace/traceEvent.js";
import type { Shard } from "./suiteResult.js";

/**
 * Lanes: N scenarios of the seed's stream running at once against one SUT, each in its own lane
 * with its own terminals (so its own connections, STANs and batches). A lane's terminals are the
 * run's, their trailing number moved up by `lane × K` (K = how many the run has: TERM0001-TERM0004
 * in lane 0, TERM0005-TERM0008 in lane 1); a terminal the host must not know moves down by `lane`
 * (TERM9999, TERM9998, …). The scenarios are generated as for a sequential run and only their
 * terminal IDs change, so verdicts and "found after k scenarios" are those of the sequential run.
 */

/** `tid` with its trailing number moved by `delta`, keeping its width. */
export function shiftTerminal(tid: string, delta: number): string {
  const m = /^(.*?)(\d+)$/.exec(tid);
  if (m === null) throw new RangeError(`terminal ID "${tid}" ends in no number to number the lanes' terminals from`);
  const n = Number(m[2]) + delta;
  const digits = String(n).padStart(m[2].length, "0");
  if (n < 0 || digits.length > m[2].length) throw new RangeError(`terminal ID "${tid}" has no room for ${delta > 0 ? "+" : ""}${delta} in its ${m[2].length}-digit number`);
  return m[1] + digits;
}

/** Where lane terminals come from: the run's registered terminals and the ones the host must not know. */
export interface LanePlan {
  lanes: number;
  registered: readonly string[];
  unregistered: readonly string[];
  /**
   * Whether each lane has cards of its own too (`cardInLane`): where the kit reads card balances,
   * a card another lane posts to at the same moment would move under it.
   */
  ownCards?: boolean;
  /**
   * The number of this plan's first lane (default 0): shard i of a run in N lanes has lanes
   * (i−1)·N to i·N−1, so shards running at once on several machines never share a terminal.
   */
  first?: number;
}

/** What digit `d` adds to the Luhn sum at a place that is doubled. */
const luhnDoubled = (d: number) => (d < 5 ? 2 * d : 2 * d - 9);

/**
 * A generated card moved into `lane`: the same card but for the digits that say which lane it is
 * in, so no two lanes ever present one card (up to 100 lanes). Digit 3 from the end of the PAN
 * before its check digit is the lane's units, digit 5 its tens; the digit after each makes up
 * the Luhn sum, so the check digit and the last two digits (what the reference host's decline
 * rules and opening balances read) stay as generated. Two cards of one scenario that differ only
 * in those four digits may become one card: rare with generated accounts, and harmless, as the
 * kit books by PAN. A card of the card file stays: it is a real test card.
 */
export function cardInLane(c: ScenarioCard, lane: number): ScenarioCard {
  if ("file" in c) return c;
  const width = c.length - 1 - c.bin.length;
  // The account digits the PAN shows (recipePan cuts a longer number to its first `width`).
  const digits = String(c.account).padStart(width, "0").slice(0, width).split("").map(Number);
  const set = (place: number, value: number) => {
    // `place` counts from the PAN's last digit before the check digit (0), which Luhn doubles.
    const at = width - 1 - place;
    if (at < 0) throw new RangeError(`card ${c.bin}… of ${c.length} digits has no room for lane ${lane}'s digits`);
    const before = digits[at];
    digits[at] = value;
    digits[at + 1] = (((digits[at + 1] + luhnDoubled(before) - luhnDoubled(value)) % 10) + 10) % 10;
  };
  set(2, lane % 10);
  // The tens wherever there is room, so moving a card from lane to lane is moving it from the start.
  if (width > 4 || lane >= 10) set(4, Math.floor(lane / 10) % 10);
  return { ...c, account: Number(digits.join("")) };
}

/** The terminal IDs of the plan's `lane`, in the order of the run's (registered first, then unregistered). */
export function laneTerminals(plan: LanePlan, lane: number): { registered: string[]; unregistered: string[] } {
  const k = plan.registered.length;
  const n = (plan.first ?? 0) + lane;
  return { registered: plan.registered.map((t) => shiftTerminal(t, n * k)), unregistered: plan.unregistered.map((t) => shiftTerminal(t, -n)) };
}

/**
 * Every lane's terminals, checked: each ID numbered, none met twice (a registered range that runs
 * into the unregistered ones would make a lane's "unknown" terminal another lane's own).
 */
export function allLaneTerminals(plan: LanePlan): { registered: string[]; unregistered: string[] } {
  if (!(Number.isInteger(plan.lanes) && plan.lanes >= 1)) throw new RangeError(`concurrency ${plan.lanes}: expected a whole number of at least 1`);
  const registered: string[] = [];
  const unregistered: string[] = [];
  for (let lane = 0; lane < plan.lanes; lane++) {
    const t = laneTerminals(plan, lane);
    registered.push(...t.registered);
    unregistered.push(...t.unregistered);
  }
  const all = [...registered, ...unregistered];
  const twice = all.find((t, i) => all.indexOf(t) !== i);
  if (twice !== undefined) throw new RangeError(`concurrency ${plan.lanes}: terminal ${twice} would serve two lanes; give --terminals and --unregistered further apart`);
  return { registered, unregistered };
}

/**
 * A host scenario moved into `lane`: the same steps, the lane's terminal IDs, whichever lane's
 * (or the run's own) it had (a failure is re-run and shrunk in the lane held for it), and where
 * the plan says so the lane's cards.
 */
export function inLane(s: Scenario, plan: LanePlan | undefined, lane: number): Scenario {
  const first = plan?.first ?? 0;
  if (plan === undefined || (plan.lanes <= 1 && first === 0) || s.role !== "host") return s;
  const own = laneTerminals(plan, lane);
  const map = new Map<string, string>();
  // From the run's own terminals (as drawn) or any lane's of the plan.
  for (const other of [-first, ...Array.from({ length: plan.lanes }, (_, l) => l)]) {
    const t = laneTerminals(plan, other);
    t.registered.forEach((tid, i) => map.set(tid, own.registered[i]));
    t.unregistered.forEach((tid, i) => map.set(tid, own.unregistered[i]));
  }
  const terminals = s.terminals.map((t) => map.get(t) ?? t);
  if (!plan.ownCards) return { ...s, terminals } satisfies HostScenario;
  return { ...s, terminals, steps: s.steps.map((st) => (st.card === undefined ? st : { ...st, card: cardInLane(st.card, first + lane) })) } satisfies HostScenario;
}

/** A scenario run in a lane: the scenario as it ran there, and its trace (undefined when the kit could not run it). */
export interface LaneRun {
  scenario: Scenario;
  lane: number;
  trace: TraceEvent[] | undefined;
}

export interface LaneOptions {
  plan: LanePlan;
  /** The run's generator, seed and size: the stream fast-check draws, drawn ahead here. */
  scenarios: fc.Arbitrary<Scenario>;
  seed: number;
  runs: number;
  /** The positions of the stream this machine runs: all, or one shard's (see `Shard`). */
  shard?: Shard;
  /** Runs one scenario (already in its lane). */
  run(s: Scenario): Promise<TraceEvent[] | undefined>;
}

/**
 * How far ahead of the scenario being judged the lanes may run, in lanes: scenarios take unequal
 * time (a timeout, a malformed frame's grace), and a lane that waited for the slow one to be
 * judged before it could start the next would idle.
 */
const LOOKAHEAD_PER_LANE = 4;

/**
 * Runs the stream ahead in the lanes. The search still takes one scenario at a time in stream
 * order (`take`) and judges it; meanwhile the lanes run the next scenarios of this shard, as far
 * as `LOOKAHEAD_PER_LANE` lanes' worth ahead, and their traces wait for their turn. A scenario
 * takes the lane that is free first, so which lane it ran in differs from run to run; what it is,
 * and what the search finds, does not. A failure is re-run and shrunk in a lane `hold` reserves.
 */
export class LaneRunner {
  private readonly underWay = new Map<number, Promise<LaneRun>>();
  private readonly free: number[];
  /** Who waits for a lane to hold. */
  private readonly waiting: ((lane: number) => void)[] = [];
  /** The position last taken: the lanes run ahead of it. */
  private at = -1;
  private stream: Scenario[] | undefined;

  constructor(private readonly o: LaneOptions) {
    this.free = Array.from({ length: o.plan.lanes }, (_, lane) => lane);
  }

  /** The scenario at `position` (the one fast-check drew, `s`), as it ran in a lane; starts the ones after it. */
  async take(position: number, s: Scenario): Promise<LaneRun> {
    // The stream drawn ahead must be fast-check's own, or lanes would run other scenarios.
    if (JSON.stringify(this.drawn()[position]) !== JSON.stringify(s)) throw new Error(`lanes: scenario ${position + 1} of the stream is not the one drawn ahead`);
    this.at = position;
    const run = this.underWay.get(position) ?? this.start(position, await this.hold());
    this.underWay.delete(position);
    this.fill();
    return run;
  }

  /** A free lane, as soon as there is one, until `release` (a failure's re-runs and shrinking take one). */
  hold(): Promise<number> {
    const lane = this.free.shift();
    return lane !== undefined ? Promise.resolve(lane) : new Promise((resolve) => this.waiting.push(resolve));
  }

  release(lane: number): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(lane);
    else {
      this.free.push(lane);
      this.fill();
    }
  }

  /** The lanes, and how many run or hold a scenario. */
  busy(): { count: number; busy: number } {
    return { count: this.o.plan.lanes, busy: this.o.plan.lanes - this.free.length };
  }

  /** Waits for the scenarios still under way (a run that stops keeps no connection open). */
  async drain(): Promise<void> {
    this.at = this.o.runs;
    await Promise.allSettled(this.underWay.values());
    this.underWay.clear();
  }

  private start(position: number, lane: number): Promise<LaneRun> {
    const scenario = inLane(this.drawn()[position], this.o.plan, lane);
    // The lane is free again as soon as its scenario is done, judged yet or not.
    const run = this.o.run(scenario).finally(() => this.release(lane));
    return run.then((trace) => ({ scenario, lane, trace }));
  }

  /** Starts the next positions of this shard not under way, while a lane is free and within the lookahead. */
  private fill(): void {
    const shard = this.o.shard;
    const ahead = this.o.plan.lanes * LOOKAHEAD_PER_LANE;
    for (let p = this.at + 1, seen = 0; p < this.o.runs && seen < ahead && this.free.length > 0; p++) {
      if (shard && p % shard.count !== shard.index - 1) continue;
      seen++;
      if (!this.underWay.has(p)) {
        const run = this.start(p, this.free.shift()!);
        // Judged only when its turn comes; a rejection waits for it too.
        run.catch(() => undefined);
        this.underWay.set(p, run);
      }
    }
  }

  private drawn(): Scenario[] {
    this.stream ??= fc.sample(this.o.scenarios, { seed: this.o.seed, numRuns: this.o.runs });
    return this.stream;
  }
}
