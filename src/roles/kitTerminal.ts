import type { Dialect } from "../iso8583/dialect.js";
import type { Operation, RequestOperation } from "../iso8583/dialectTable.js";
import { checkMac, packWithMac } from "../iso8583/macMessage.js";
import type { Message } from "../iso8583/message.js";
import { pack } from "../iso8583/pack.js";
import type { Clock } from "../link/clock.js";
import type { Link } from "../link/link.js";
import { sendInSegments } from "../link/sendInSegments.js";
import {
  answerMacChecked,
  answeredIndex,
  batchOf,
  buildRequest,
  buildResponse,
  buildReversal,
  decodeWorkingKeys,
  isRequestMti,
  macRequired,
  networkCodeOf,
  operationOf,
  parseBalance,
  profileOf,
  requestRule,
  responseMismatches,
  rulesOf,
  tally,
  type Card,
  type OriginalRef,
  type ReversalCause,
  type SutProfile,
  type Totals,
} from "../protocol/index.js";
import { cardMay, cardOf, describeStep, type HostFault, type HostFaultKind, type HostMalformedVariant, type HostScenario, type HostStep, type ScenarioCard } from "../scenario/scenario.js";
import { hostileAmountFrame } from "./hostileAmount.js";
import { malformed } from "./malformed.js";
import { TargetMismatch } from "../scenario/target.js";
import type { FileCard } from "../scenario/cardFile.js";
import { DEFAULT_MAK, DEFAULT_PIK, FIRST_BATCH } from "../sim/defaults.js";
import type { TraceRecorder } from "../trace/traceRecorder.js";

/** What the kit needs to play terminals against a host. */
export interface KitTerminalOptions {
  dialect: Dialect;
  clock: Clock;
  recorder: TraceRecorder;
  /** Opens a new connection to the host (a reconnect is a new connection). */
  connect(): Promise<Link>;
  responseTimeoutMs: number;
  merchant: string;
  /** Terminal master key: sign-on replies carry the working keys under it. */
  tmk: Buffer;
  /** Wall time at clock zero, for the date and time fields. */
  epoch: Date;
  /**
   * STAN and batch per terminal ID carried from scenario to scenario. An external SUT keeps its
   * state between scenarios, so the kit's terminals must too, as real ones do: a STAN that
   * started again at 1 would look like a duplicate.
   */
  counters?: Map<string, TerminalCounters>;
  /** The run's card file, where the scenario's cards come from it. */
  cards?: readonly FileCard[];
  /**
   * Requests in a row without an answer (timed out, the connection closed or refused) after which
   * the SUT counts as down and the rest of the scenario is not run (default `DOWN_AFTER`): every
   * further request would cost a full timeout and tell nothing new.
   */
  downAfter?: number;
}

/**
 * Two: after a timeout the kit drops the connection, so the second request goes out on a fresh
 * one. One lost answer is a fault worth judging; two in a row, the second on a new connection,
 * is a host that has stopped serving.
 */
export const DOWN_AFTER = 2;

/** Thrown inside a scenario when the SUT has stopped answering: the scenario ends there. */
class SutDown extends Error {
  override readonly name = "SutDown";
}

/** What a terminal carries over between scenarios. */
export interface TerminalCounters {
  stan: number;
  batch: string;
  /** The working keys: a host that hands out keys without a sign-on each scenario (a key exchange) keeps them too. */
  mak: Buffer;
  pik: Buffer;
}

/** What a step's request got back, as a correct terminal judges it. */
type Outcome =
  | { kind: "answer"; message: Message }
  | { kind: "invalid"; cause: ReversalCause }
  | { kind: "none" };

interface Approved {
  op: RequestOperation;
  card: ScenarioCard | undefined;
  request: Message;
  response: Message;
  amount: number;
  reversed: boolean;
}

interface Pending {
  request: Message;
  cause: ReversalCause;
  /** Times to send the reversal; the first send counts. */
  sends: number;
}

/** The kit's own correct terminal, one per terminal ID: STAN, batch, keys, journal, totals. */
class KitSession {
  link: Link | undefined;
  stan = 0;
  batch = FIRST_BATCH;
  mak: Buffer = Buffer.from(DEFAULT_MAK, "hex");
  /** The PIN key a card's PIN block goes under: the default until a sign-on hands out another. */
  pik: Buffer = Buffer.from(DEFAULT_PIK, "hex");
  pending: Pending | undefined;
  /** An advice no answer acknowledged: repeated, as store-and-forward does, before anything else. */
  pendingAdvice: { step: HostStep; request: Message } | undefined;
  /** Whether the last sign-on was answered: a terminal that lost it signs on again first. */
  signedOn = false;
  approved: Approved[] = [];
  constructor(readonly tid: string) {}

  nextStan(): string {
    this.stan = (this.stan % 999_999) + 1;
    return String(this.stan).padStart(6, "0");
  }
}

/** The operations whose approval moves a card's balance, and so the cards whose balance the kit reads. */
const POSTING_OPS: ReadonlySet<RequestOperation> = new Set(["purchase", "refund", "preauth", "void", "advice"]);

/**
 * How long the kit waits for an answer to a malformed frame before it drops the connection: four
 * times the slowest answer the host has given in this scenario, at least 250 ms, at most 2 s (and
 * never past the response timeout). Before any answer, the 2 s: a fixed 2 s was most of a run's
 * time against a fast host.
 */
const MALFORMED_GRACE = { perAnswer: 4, minMs: 250, maxMs: 2_000 } as const;

/** The pause between the two segments of a `split` request (a tenth of the timeout at most): a slow network, not a stalled one. */
const SPLIT_PAUSE_MS = 50;

/**
 * Plays the scenario's terminals against a host over real links: signs each terminal on, runs
 * the steps with their faults, reverses what went unanswered exactly as a correct terminal
 * would, and ends with a settlement per terminal so totals can be checked. It records; it never
 * judges: the properties do that over the trace.
 */
export class KitTerminal {
  private readonly sessions: KitSession[];
  private readonly d: Dialect;
  private readonly profile: SutProfile;
  /**
   * The MAC key each request went out under, where the host may change the keys (a key exchange
   * the kit adopts): one that crosses a request on the link changes them while it is answered.
   */
  private readonly sentUnder: WeakMap<Message, Buffer> | undefined;
  /** The slowest answer the host has given in this scenario (undefined before the first). */
  private slowestAnswerMs: number | undefined;
  /** Requests in a row the host has left without an answer. */
  private unanswered = 0;

  constructor(
    private readonly scenario: HostScenario,
    private readonly o: KitTerminalOptions,
  ) {
    this.d = o.dialect;
    this.profile = profileOf(o.dialect);
    this.sentUnder = this.profile.answers.some((a) => typeof a !== "string" && a.working_keys !== undefined) ? new WeakMap() : undefined;
    this.sessions = scenario.terminals.map((tid) => {
      const s = new KitSession(tid);
      const kept = o.counters?.get(tid);
      if (kept) ({ stan: s.stan, batch: s.batch, mak: s.mak, pik: s.pik } = kept);
      return s;
    });
  }

  async run(): Promise<void> {
    const rec = this.o.recorder;
    // Only the terminals the steps use take part, so a shrunk scenario shows everything that ran.
    // Setup and teardown belong to no step: their events carry none.
    const used = new Set(this.scenario.steps.map((st) => st.terminal));
    try {
      // The profile says what the SUT needs before and after: a sign-on, a settlement, or neither.
      if (this.profile.signOn === "kit") {
        rec.note("setup: sign on the terminals the steps use");
        for (const [i, s] of this.sessions.entries()) if (used.has(i)) await this.simple(s, "signon");
      }
      await this.observeBalances("before", used);
      for (const [i, step] of this.scenario.steps.entries()) {
        rec.step(i, describeStep(this.scenario, step));
        await this.runStep(step);
      }
      rec.currentStep = undefined;
      await this.observeBalances("after", used);
      const settles = this.profile.settlement === "totals";
      rec.note(settles ? "teardown: reverse what is pending, then settle every terminal" : "teardown: reverse what is pending (the SUT has no settlement)");
      for (const [i, s] of this.sessions.entries()) {
        if (!used.has(i)) continue;
        await this.flushPending(s);
        if (settles) await this.simple(s, "settlement");
      }
    } catch (e) {
      if (!(e instanceof SutDown)) throw e;
      rec.currentStep = undefined;
      rec.note(`${e.message}: the rest of the scenario is not run`, { sutDown: true });
    }
    // Every link at once: each close waits for its socket to finish, and none waits for another.
    await Promise.all(this.sessions.map((s) => s.link?.close()));
    for (const s of this.sessions) this.o.counters?.set(s.tid, { stan: s.stan, batch: s.batch, mak: s.mak, pik: s.pik });
  }

  private async runStep(step: HostStep): Promise<void> {
    const s = this.sessions[step.terminal];
    if (!s.signedOn && step.op !== "signon" && this.profile.signOn === "kit") await this.simple(s, "signon");
    // Most steps owe nothing: no call (and no turn of the event loop) for them.
    if (s.pendingAdvice !== undefined || s.pending !== undefined) await this.flushPending(s);
    const fault = step.fault;
    if (fault === undefined) {
      const request = this.request(s, step);
      return await this.answered(s, step, request, this.frame(s, request));
    }
    const play = this.faults[fault.kind] as (s: KitSession, step: HostStep, f: typeof fault) => Promise<void>;
    // Awaited, not returned: an async function that returns a promise takes two more microtask turns to adopt it.
    return await play(s, step, fault);
  }

  /** Sends the request and takes its answer (or its absence) as a correct terminal would. */
  private async answered(s: KitSession, step: HostStep, request: Message, frame: Buffer): Promise<void> {
    this.settle(s, step, request, await this.exchange(s, request, frame));
  }

  /**
   * How the kit plays each fault, by kind: the compiler holds it to every kind of `HostFault`.
   * Each records the fault in the trace just before (or, for a lost answer, just after) it acts.
   */
  private readonly faults: { [K in HostFaultKind]: (s: KitSession, step: HostStep, fault: Extract<HostFault, { kind: K }>) => Promise<void> } = {
    malformed: async (s, step, fault) => {
      this.o.recorder.fault({ fault: "malformed", variant: fault.variant }, `malformed frame (${fault.variant}) before the request`);
      await this.sendMalformed(s, fault.variant).catch((e: Error) => this.o.recorder.note(`cannot connect to the SUT: ${e.message}`, { connectFailed: true }));
      const request = this.request(s, step);
      return this.answered(s, step, request, this.frame(s, request));
    },
    disconnect: async (s, step) => {
      const request = this.request(s, step);
      const frame = this.frame(s, request);
      this.o.recorder.fault({ fault: "disconnect" }, "half the request, then the connection dropped");
      const link = await this.linkOf(s).catch(() => undefined);
      if (link) {
        await link.sendRaw(link.framing.encode(frame).subarray(0, Math.max(1, frame.length >> 1))).catch(() => undefined);
        await link.close();
      }
      s.link = undefined;
      return this.answered(s, step, request, frame);
    },
    bad_mac: async (s, step) => {
      const request = this.request(s, step);
      let frame = this.frame(s, request);
      if (this.d.table.mac !== null) {
        this.o.recorder.fault({ fault: "bad_mac" }, "request MAC corrupted");
        frame = Buffer.from(frame);
        frame[frame.length - 1] ^= 0x01;
      }
      return this.answered(s, step, request, frame);
    },
    duplicate: async (s, step) => {
      const request = this.request(s, step);
      const frame = this.frame(s, request);
      this.o.recorder.fault({ fault: "duplicate" }, "request sent twice");
      const link = await this.linkOrNote(s);
      if (link === undefined) return;
      await this.send(link, frame);
      await this.send(link, frame);
      const first = await this.await(s, request);
      const second = await this.await(s, request);
      // A repeated sign-on may hand out new keys: the host holds the last ones it answered with.
      this.settle(s, step, request, step.op === "signon" && second.kind === "answer" ? second : first);
    },
    drop: (s, step) => this.lost(s, step, "drop", 1),
    reverse_twice: (s, step) => this.lost(s, step, "reverse_twice", 2),
    race_duplicate: async (s, step) => {
      const request = this.request(s, step);
      const outcomes = await this.race(s, request, this.frame(s, request), "race_duplicate", "the request");
      if (outcomes === undefined) return;
      // A repeated sign-on may hand out new keys: the host holds those of the answer it gave last.
      // Otherwise a correct terminal books the one approval (the other copy's answer is 94 or its replay).
      const approved = outcomes.find((o) => o.kind === "answer" && o.message.fields["39"] === rulesOf(this.d).codes.approved);
      this.settle(s, step, request, step.op === "signon" ? outcomes[outcomes.length - 1] : (approved ?? outcomes[0]));
    },
    race_reversal: async (s, step) => {
      await this.lost(s, step, "race_reversal", 1);
    },
    reverse_unknown: async (s, step) => {
      const request = this.request(s, step);
      await this.answered(s, step, request, this.frame(s, request));
      this.o.recorder.fault({ fault: "reverse_unknown" }, "a reversal of a transaction that never existed");
      const ghost = { ...request, fields: { ...request.fields, "11": this.ghostStan(s) } };
      s.pending = { request: ghost, cause: "no_answer", sends: 1 };
      await this.flushPending(s);
    },
    split: async (s, step) => {
      const request = this.request(s, step);
      const frame = this.frame(s, request);
      const link = await this.linkOrNote(s);
      if (link === undefined) return;
      const raw = link.framing.encode(frame);
      const cut = raw.length >> 1;
      const pauseMs = Math.min(SPLIT_PAUSE_MS, this.o.responseTimeoutMs / 10);
      this.o.recorder.fault({ fault: "split", at: cut, pauseMs }, `the request in two segments: ${cut} bytes, a ${pauseMs} ms pause, then the other ${raw.length - cut}`);
      await sendInSegments(link, raw, [cut], pauseMs).catch(() => undefined);
      this.settle(s, step, request, await this.await(s, request));
    },
    pipelined: async (s, step) => {
      const request = this.request(s, step);
      const echo = this.build(s, "echo", {});
      const link = await this.linkOrNote(s);
      if (link === undefined) return;
      this.o.recorder.fault({ fault: "pipelined" }, `the request and an echo test (${echo.mti}) written in one segment`);
      const both = Buffer.concat([link.framing.encode(this.frame(s, request)), link.framing.encode(this.frame(s, echo))]);
      await link.sendRaw(both).catch(() => undefined);
      // Both wait on one connection, and the host may answer them in either order (or one only).
      const [outcome] = await this.awaitEach(s, [request, echo], link);
      this.settle(s, step, request, outcome);
    },
    hostile_amount: async (s, step, fault) => {
      const request = this.request(s, step);
      const hostile = hostileAmountFrame(this.d, this.frame(s, request), request, fault.variant, s.mak);
      if (hostile === undefined) {
        this.o.recorder.note(`no hostile amount (${fault.variant}): the request has no field 4 of fixed digits, or none it changes; sent as it is`);
        return this.answered(s, step, request, this.frame(s, request));
      }
      const mac = macRequired(this.d, request) ? ", its MAC computed over it" : "";
      this.o.recorder.fault({ fault: "hostile_amount", variant: fault.variant, amount: hostile.amount, mti: request.mti, stan: request.fields["11"] }, `field 4 written as '${hostile.amount}'${mac}`);
      // A correct terminal never sends it, so nothing it gets back is booked or reversed: the answer is for the properties.
      const link = await this.linkOrNote(s);
      if (link !== undefined) await this.sendUndecodable(s, link, hostile.frame);
    },
    whole_balance: async (s, step) => {
      const card = step.card === undefined ? undefined : cardOf(step.card, this.o.cards);
      const inquiry = this.build(s, "balance", { card });
      const outcome = await this.exchange(s, inquiry, this.frame(s, inquiry));
      const approved = outcome.kind === "answer" && outcome.message.fields["39"] === rulesOf(this.d).codes.approved;
      const balance = approved ? parseBalance(outcome.message.fields["54"]) : undefined;
      // A negative balance is no amount: the step's own goes instead, as it does without a reading.
      const amount = balance !== undefined && balance >= 0 ? balance : undefined;
      const what = amount === undefined ? `no balance read; the ${step.op} goes for its own ${money(step.amount ?? 0)}` : `the ${step.op} is for exactly the ${money(amount)} available`;
      this.o.recorder.fault({ fault: "whole_balance", inquiry: inquiry.fields["11"], ...(amount === undefined ? {} : { amount }) }, `a balance inquiry first: ${what}`);
      const request = this.request(s, amount === undefined ? step : { ...step, amount });
      return this.answered(s, step, request, this.frame(s, request));
    },
  };

  /** The session's link, or undefined after a `connect-failed` note (which H-LIVE-1 reads). */
  private async linkOrNote(s: KitSession): Promise<Link | undefined> {
    const link = await this.linkOf(s).catch(() => undefined);
    if (link === undefined) this.o.recorder.note("cannot connect to the SUT", { connectFailed: true });
    return link;
  }

  /** The answer is discarded as if it never came, so the request is reversed, `sends` times. */
  private async lost(s: KitSession, step: HostStep, kind: "drop" | "reverse_twice" | "race_reversal", sends: number): Promise<void> {
    const request = this.request(s, step);
    await this.exchange(s, request, this.frame(s, request));
    this.o.recorder.fault({ fault: kind }, "the kit discards the answer, as if it never came");
    this.settle(s, step, request, { kind: "none" });
    if (step.op === "signon") s.signedOn = false;
    if (kind === "race_reversal" && s.pending) return this.raceReversal(s, s.pending);
    if (s.pending) s.pending.sends = sends;
    await this.flushPending(s);
  }

  /**
   * The pending reversal, sent at the same moment over two connections; unanswered on both, it
   * stays pending, so it goes again (one connection) before the terminal's next request.
   */
  private async raceReversal(s: KitSession, p: Pending): Promise<void> {
    s.pending = undefined;
    const reversal = this.reversalOf(s, p);
    const outcomes = await this.race(s, reversal, this.frame(s, reversal), "race_reversal", "its reversal");
    // No connection to race on, or no answer on either: the reversal is still owed.
    if (outcomes === undefined || !outcomes.some((o) => o.kind === "answer")) s.pending = p;
  }

  /**
   * Sends one frame at the same moment over the terminal's connection and a second one the kit
   * opens for it: both sends before either answer is awaited, then both answers awaited (in
   * arrival order). The fault event names both connections, as the trace names each frame's.
   * The second connection is closed after. Where one link carries every terminal (profile links
   * shared), there is no second connection to open: both copies go on the one link.
   */
  private async race(s: KitSession, request: Message, frame: Buffer, kind: "race_duplicate" | "race_reversal", what: string): Promise<Outcome[] | undefined> {
    const link = await this.linkOrNote(s);
    if (link === undefined) return undefined;
    const extra = this.profile.links === "shared" ? undefined : await this.openLink(s).catch(() => undefined);
    const rec = this.o.recorder;
    const links = [link, extra ?? link];
    const [a, b] = links.map((l) => rec.connOf(l));
    const where = extra === undefined ? `twice on ${a} (${this.profile.links === "shared" ? "one link carries every terminal" : "a second connection could not be opened"})` : `on ${a} and ${b}`;
    rec.fault({ fault: kind, conns: [a, b], mti: request.mti, stan: request.fields["11"] }, `${what} sent at the same moment ${where}`);
    await Promise.all(links.map((l) => this.send(l, frame)));
    try {
      if (extra === undefined) return [await this.await(s, request), await this.await(s, request)];
      const arrived: Outcome[] = [];
      const settled = await Promise.allSettled(links.map((l) => this.await(s, request, l).then((o) => (arrived.push(o), o))));
      const failed = settled.find((r) => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      return arrived;
    } finally {
      await extra?.close();
    }
  }

  /** A STAN this terminal has not used: half the STAN space away from the current one. */
  private ghostStan(s: KitSession): string {
    return String(((s.stan + 500_000) % 999_999) + 1).padStart(6, "0");
  }

  /**
   * Where the profile says the host reports balances: a balance inquiry for each card the steps
   * post with, from the scenario's first terminal (a registered one), before the steps and after
   * them (every reversal done). Each is marked in the trace as an observation, not a step: the
   * host properties compare the two readings with what the host approved.
   */
  private async observeBalances(when: "before" | "after", used: ReadonlySet<number>): Promise<void> {
    if (this.profile.balances !== "inquiry") return;
    // After: once every pending reversal has gone out, so the reading includes what they undid.
    if (when === "after") for (const [i, s] of this.sessions.entries()) if (used.has(i)) await this.flushPending(s);
    const cards = new Map<string, ScenarioCard>();
    // A card the card file does not allow balance inquiries with is not read: the host would refuse it.
    for (const st of this.scenario.steps) if (st.card !== undefined && POSTING_OPS.has(st.op) && cardMay(st.card, "balance", this.o.cards)) cards.set(cardOf(st.card, this.o.cards).pan, st.card);
    if (cards.size === 0) return;
    const s = this.sessions[0];
    if (!s.signedOn && this.profile.signOn === "kit") await this.simple(s, "signon");
    for (const [i, card] of [...cards.values()].entries()) {
      this.o.recorder.note(`observe: the balance of card ${i + 1} of the steps, ${when} them`, { observe: when });
      const request = this.build(s, "balance", { card: cardOf(card, this.o.cards) });
      await this.exchange(s, request, this.frame(s, request));
    }
  }

  /** Sign-on and settlement: requests without faults whose answers update the session. */
  private async simple(s: KitSession, op: "signon" | "settlement"): Promise<void> {
    const request = this.build(s, op, {});
    const outcome = await this.exchange(s, request, this.frame(s, request));
    if (outcome.kind !== "answer" || outcome.message.fields["39"] !== rulesOf(this.d).codes.approved) return;
    if (op === "signon") this.adoptSignOn(s, outcome.message);
    else {
      s.batch = String((Number(s.batch) % 999_999) + 1).padStart(6, "0");
      s.approved = [];
    }
  }

  private adoptSignOn(s: KitSession, reply: Message): void {
    s.signedOn = true;
    const batch = batchOf(this.d, reply);
    if (batch !== undefined) s.batch = batch;
    const f62 = reply.fields["62"];
    if (this.d.table.mac === null || f62 === undefined) return;
    try {
      ({ mak: s.mak, pik: s.pik } = decodeWorkingKeys(this.o.tmk, f62));
    } catch {
      // Keys that do not unwrap or check are not adopted: the MACs that follow will show it.
    }
  }

  private request(s: KitSession, step: HostStep): Message {
    const original = step.op === "void" || step.op === "refund" ? this.originalFor(s, step.op) : undefined;
    // A void or refund is made with the card of the purchase it refers to, as at a real counter.
    const card = original?.card ?? step.card;
    return this.build(s, step.op, {
      card: card ? cardOf(card, this.o.cards) : undefined,
      amount: step.op === "void" ? original?.amount : step.amount,
      original: original?.ref,
    });
  }

  private build(s: KitSession, op: RequestOperation, p: { card?: Card; amount?: number; original?: OriginalRef }): Message {
    return buildRequest(this.d, {
      op,
      tid: s.tid,
      mid: this.o.merchant,
      stan: s.nextStan(),
      batch: s.batch,
      now: this.now(),
      card: p.card,
      amount: p.amount === undefined ? undefined : String(p.amount).padStart(12, "0"),
      original: p.original,
      totals: op === "settlement" ? totalsOf(s) : undefined,
      pinKey: s.pik,
    });
  }

  /**
   * The last approved purchase still standing whose card may be used for `op` (a card file can
   * forbid a card voids or refunds), or a made-up one the host cannot know.
   */
  private originalFor(s: KitSession, op: "void" | "refund"): { ref: OriginalRef; amount: number; card?: ScenarioCard } {
    const last = [...s.approved].reverse().find((a) => a.op === "purchase" && !a.reversed && cardMay(a.card, op, this.o.cards));
    const f = last?.request.fields;
    const ref: OriginalRef = {
      mti: last?.request.mti ?? "0200",
      stan: f?.["11"] ?? this.ghostStan(s),
      batch: s.batch,
      date: f?.["13"] ?? "0101",
      transmission: f?.["7"] ?? "0101000000",
      rrn: last?.response.fields["37"],
      auth: last?.response.fields["38"],
    };
    return { ref, amount: last?.amount ?? 1, card: last?.card };
  }

  /** Books a step's outcome as a correct terminal does: approvals, voids, pending reversals. */
  private settle(s: KitSession, step: HostStep, request: Message, outcome: Outcome): void {
    const rule = requestRule(this.d, step.op);
    if (outcome.kind === "answer") {
      if (outcome.message.fields["39"] !== rulesOf(this.d).codes.approved) return;
      const amount = Number(request.fields["4"] ?? 0);
      if (step.op === "void") {
        const stan = this.originalFor(s, "void").ref.stan;
        const original = s.approved.find((a) => a.request.fields["11"] === stan && a.op === "purchase");
        if (original) original.reversed = true;
      }
      if (step.op === "signon") this.adoptSignOn(s, outcome.message);
      else s.approved.push({ op: step.op, card: step.card, request, response: outcome.message, amount, reversed: false });
      return;
    }
    // An advice is not reversed: it reports what is done already, so it is repeated until acknowledged.
    if (step.op === "advice") s.pendingAdvice = { step, request };
    else if (rule.reversible) s.pending = { request, cause: outcome.kind === "invalid" ? outcome.cause : "no_answer", sends: 1 };
  }

  /**
   * Sends the pending reversal until an answer closes it, at most the dialect's attempts; any
   * code closes it (00, 12, 25: docs/protocol-notes.md §2.7). `sends` > 1 repeats a closed reversal
   * on purpose (the `reverse_twice` fault).
   */
  private async flushPending(s: KitSession): Promise<void> {
    await this.repeatAdvice(s);
    const p = s.pending;
    if (p === undefined) return;
    s.pending = undefined;
    const rules = rulesOf(this.d);
    const reversal = this.reversalOf(s, p);
    const frame = this.resender(s, reversal);
    for (let sent = 0; sent < p.sends; sent++) {
      for (let attempt = 0; attempt < rules.reversal.attempts; attempt++) {
        if ((await this.exchange(s, reversal, frame())).kind === "answer") break;
      }
    }
  }

  /**
   * Repeats an unacknowledged advice, as store-and-forward does: the same message under the
   * dialect's repeat MTI (0221; the first MTI where it has none), MACed anew, until an answer
   * acknowledges it, at most the reversal attempts; the answer is booked as the first's would be.
   */
  private async repeatAdvice(s: KitSession): Promise<void> {
    const p = s.pendingAdvice;
    if (p === undefined) return;
    s.pendingAdvice = undefined;
    const rule = requestRule(this.d, "advice");
    const repeat: Message = { ...p.request, mti: rule.repeat_mti ?? rule.mti };
    this.o.recorder.note(`advice STAN ${repeat.fields["11"]} unacknowledged: repeated as ${repeat.mti}`, { adviceRepeat: repeat.fields["11"], mti: repeat.mti });
    const frame = this.resender(s, repeat);
    for (let attempt = 0; attempt < rulesOf(this.d).reversal.attempts; attempt++) {
      const outcome = await this.exchange(s, repeat, frame());
      if (outcome.kind !== "answer") continue;
      this.settle(s, p.step, p.request, outcome);
      return;
    }
  }

  /** The reversal of a pending request, under the dialect's STAN policy (a new STAN, or the original's). */
  private reversalOf(s: KitSession, p: Pending): Message {
    const stan = rulesOf(this.d).reversal.stan === "new" ? s.nextStan() : undefined;
    return buildReversal(this.d, p.request, p.cause, { newStan: stan, now: this.now() });
  }

  /**
   * `m`'s frame for each of its sends: the same bytes, but MACed again where the terminal's keys
   * changed since the last send (a key exchange between two attempts), as a terminal re-MACs.
   */
  private resender(s: KitSession, m: Message): () => Buffer {
    let frame = this.frame(s, m);
    let under = s.mak;
    return () => {
      if (s.mak !== under) {
        frame = this.frame(s, m);
        under = s.mak;
      }
      return frame;
    };
  }

  private frame(s: KitSession, m: Message): Buffer {
    if (!macRequired(this.d, m)) return pack(this.d, m);
    this.sentUnder?.set(m, s.mak);
    return packWithMac(this.d, m, s.mak);
  }

  private async linkOf(s: KitSession): Promise<Link> {
    if (s.link === undefined || s.link.closeReason !== undefined) {
      // Where one link carries every terminal, a terminal takes the one another already opened.
      const open = (l: Link | undefined) => l !== undefined && l.closeReason === undefined;
      const shared = this.profile.links === "shared" ? this.sessions.find((x) => open(x.link))?.link : undefined;
      s.link = shared ?? (await this.openLink(s));
    }
    return s.link;
  }

  /** A new connection for the terminal, recorded, and the host's own sign-on answered where the profile says it sends one. */
  private async openLink(s: KitSession): Promise<Link> {
    const link = await this.o.connect();
    this.o.recorder.connect(link);
    this.o.recorder.attach(link);
    if (this.profile.signOn === "host") await this.awaitHostSignOn(s, link);
    return link;
  }

  /**
   * A host that signs on itself sends its sign-on down each new link and serves nothing before
   * it is answered: the kit, as a terminal of such a host, waits for it (a response timeout at
   * most) and answers it before it sends anything. Its absence is noted, not judged.
   */
  private async awaitHostSignOn(s: KitSession, link: Link): Promise<void> {
    // Setup of the link, not part of the step that happened to open it.
    const rec = this.o.recorder;
    const step = rec.currentStep;
    rec.currentStep = undefined;
    try {
      await this.answerHostSignOn(s, link);
    } finally {
      rec.currentStep = step;
    }
  }

  private async answerHostSignOn(s: KitSession, link: Link): Promise<void> {
    const until = this.o.clock.now() + this.o.responseTimeoutMs;
    for (;;) {
      const got = await link.receive({ deadlineMs: Math.max(0, until - this.o.clock.now()) });
      if (got.kind !== "frame") {
        const why = got.kind === "timeout" ? `within ${this.o.responseTimeoutMs} ms of the connection` : "before it closed the connection";
        this.o.recorder.note(`the host sent no sign-on ${why} (its profile says sign_on: host); the kit goes on without it`, { hostSignOn: "missing" });
        return;
      }
      const m = this.o.recorder.decodedFrame(this.d, got.body);
      if (m !== undefined && isRequestMti(m.mti) && (await this.answerHost(s, link, m)) === "signon") return;
    }
  }

  /**
   * Answers a network request the host started, where the profile says the kit answers that
   * kind (approved, the request's fields echoed); returns which kind it answered. A key exchange
   * whose profile entry names its `working_keys` field hands the terminal new keys: adopted once
   * their check values match, as a terminal does; keys that do not check are refused (format
   * error) and the terminal keeps its own.
   */
  private async answerHost(s: KitSession, link: Link, request: Message): Promise<string | undefined> {
    const code = networkCodeOf(this.d, request);
    const op = operationOf(this.d, request.mti, request.fields["3"], code);
    const answered = this.profile.answers.find((a) => (typeof a === "string" ? a === op : a.mti === request.mti && a.network_code === code));
    if (answered === undefined) return undefined;
    const name = typeof answered === "string" ? answered : answered.name;
    const keysField = typeof answered === "string" ? undefined : answered.working_keys;
    const refused = keysField === undefined ? undefined : this.adoptKeyExchange(s, request, keysField, name);
    const codes = rulesOf(this.d).codes;
    const reply = buildResponse(this.d, request, { code: refused === undefined ? codes.approved : codes.format_error });
    this.o.recorder.note(`the kit answers the host's ${name === "signon" ? "sign-on" : name === "echo" ? "echo test" : name} (${request.mti})`, { answersHost: name });
    await this.send(link, this.frame(s, reply));
    return name;
  }

  /**
   * Takes a key exchange's new working keys for the terminal it names (field 41; the link's
   * terminal where it names none); why not, where they do not decode or check.
   */
  private adoptKeyExchange(s: KitSession, request: Message, field: string, name: string): string | undefined {
    const named = request.fields["41"];
    const terminal = named === undefined ? s : this.sessions.find((x) => x.tid === named);
    const refuse = (why: string) => {
      this.o.recorder.note(`the host's ${name} is refused${terminal ? `, ${terminal.tid} keeps its working keys` : ""}: ${why}`, { keyExchange: "refused", tid: named ?? s.tid });
      return why;
    };
    if (terminal === undefined) return refuse(`it names terminal ${named}, which the kit does not play here`);
    const value = request.fields[field];
    if (value === undefined) return refuse(`it has no field ${field}`);
    try {
      ({ mak: terminal.mak, pik: terminal.pik } = decodeWorkingKeys(this.o.tmk, value));
    } catch (e) {
      // decodeWorkingKeys speaks of a sign-on reply's field 62: say which field of which request.
      return refuse((e as Error).message.replace(/^sign-on field 62 /, `field ${field} `).replace(/^sign-on /, `field ${field}: `));
    }
    this.o.recorder.note(`${terminal.tid} takes the working keys of the host's ${name} (field ${field})`, { keyExchange: "adopted", tid: terminal.tid });
    return undefined;
  }

  private async send(link: Link, frame: Buffer): Promise<void> {
    await link.send(frame).catch(() => undefined);
  }

  /**
   * Sends one request and waits for its answer. A host that refuses the connection is recorded
   * (a `connect-failed` note, which H-LIVE-1 reads) and the request counts as unanswered.
   */
  private async exchange(s: KitSession, request: Message, frame: Buffer): Promise<Outcome> {
    let link: Link;
    try {
      // The terminal's link, when it is up, without a call that waits: the common case.
      link = s.link !== undefined && s.link.closeReason === undefined ? s.link : await this.linkOf(s);
    } catch (e) {
      if (e instanceof TargetMismatch) throw e;
      this.o.recorder.note(`cannot connect to the SUT: ${(e as Error).message}`, { connectFailed: true, mti: request.mti, stan: request.fields["11"] });
      this.noAnswer();
      return { kind: "none" };
    }
    await link.send(frame).catch(() => undefined);
    return await this.await(s, request);
  }

  /**
   * Waits for the answers to requests in flight together on one link, each answer judged against
   * the request it names (`answeredIndex`); the outcomes in the order of `requests`. A frame that
   * does not decode names nobody: it is the oldest waiting request's. Once one wait ends without
   * an answer (a timeout closes the link), the rest have none either.
   */
  private async awaitEach(s: KitSession, requests: readonly Message[], link: Link): Promise<Outcome[]> {
    const outcomes = new Map<Message, Outcome>();
    const waiting = [...requests];
    while (waiting.length > 0) {
      const got = await this.answerOf(s, waiting[0], link);
      if (got.kind === "none") break;
      if (got.kind === "invalid") {
        outcomes.set(waiting.shift()!, got);
        continue;
      }
      const [request] = waiting.splice(answeredIndex(waiting, got.message), 1);
      outcomes.set(request, this.judge(s, request, got.body, got.message));
    }
    return requests.map((r) => outcomes.get(r) ?? { kind: "none" });
  }

  /** Waits for the answer to `request` and judges it as a terminal does (`answerOf`, then `judge`). */
  private async await(s: KitSession, request: Message, link = s.link): Promise<Outcome> {
    if (link === undefined) return { kind: "none" };
    const got = await this.answerOf(s, request, link);
    return got.kind === "frame" ? this.judge(s, request, got.body, got.message) : got;
  }

  /**
   * The next answer on `link`, decoded: answers the requests the host starts itself (sign-on,
   * echo tests) where the profile says so. After a timeout the connection is closed, so a late
   * answer cannot be taken for the next request's.
   */
  private async answerOf(s: KitSession, request: Message, link: Link): Promise<{ kind: "frame"; body: Buffer; message: Message } | Exclude<Outcome, { kind: "answer" }>> {
    const asked = this.o.clock.now();
    const until = asked + this.o.responseTimeoutMs;
    for (;;) {
      const got = await link.receive({ deadlineMs: Math.max(0, until - this.o.clock.now()) });
      if (got.kind === "frame") {
        this.slowestAnswerMs = Math.max(this.slowestAnswerMs ?? 0, this.o.clock.now() - asked);
        this.unanswered = 0;
      }
      if (got.kind === "closed") {
        this.noAnswer();
        return { kind: "none" };
      }
      if (got.kind === "timeout") {
        this.o.recorder.timeout({ waitedMs: this.o.responseTimeoutMs, stan: request.fields["11"], mti: request.mti });
        await link.close();
        if (s.link === link) s.link = undefined;
        this.noAnswer();
        return { kind: "none" };
      }
      const message = this.o.recorder.decodedFrame(this.d, got.body);
      if (message === undefined) return { kind: "invalid", cause: "other" };
      if (isRequestMti(message.mti)) {
        await this.answerHost(s, link, message);
        continue;
      }
      return { kind: "frame", body: got.body, message };
    }
  }

  private judge(s: KitSession, request: Message, frame: Buffer, response: Message): Outcome {
    if (responseMismatches(this.d, request, response).length > 0) return { kind: "invalid", cause: "other" };
    const mac = this.d.table.mac;
    const approved = response.fields["39"] === rulesOf(this.d).codes.approved;
    // The MAC is verified only on approvals (docs/protocol-notes.md §2.4); a bad one leads to reversal A0.
    // Sign-on and settlement replies carry none, and any answer closes a reversal.
    if (mac !== null && (approved || mac.verify === "always") && answerMacChecked(this.d, request)) {
      // Under the key the request went out with, or the terminal's now, where a key exchange came between.
      const sent = this.sentUnder?.get(request) ?? s.mak;
      if (checkMac(this.d, frame, response, sent) !== "ok" && (sent === s.mak || checkMac(this.d, frame, response, s.mak) !== "ok")) return { kind: "invalid", cause: "bad_mac" };
    }
    return { kind: "answer", message: response };
  }

  private async sendMalformed(s: KitSession, variant: HostMalformedVariant): Promise<void> {
    const link = await this.linkOf(s);
    const probe = this.frame(s, this.build(s, "echo", {}));
    await this.sendUndecodable(s, link, malformed(probe, variant, this.d.headerBytes));
  }

  /** Sends a frame that does not decode under the dialect and gives the host a grace period to answer it. */
  private async sendUndecodable(s: KitSession, link: Link, frame: Buffer): Promise<void> {
    await this.send(link, frame);
    const until = this.o.clock.now() + this.malformedGraceMs();
    // A host may answer a malformed frame (30) or ignore it. Wait a while; if nothing came, drop
    // the connection, so that a late answer cannot be taken for the next request's.
    const got = await link.receive({ deadlineMs: Math.max(0, until - this.o.clock.now()) });
    if (got.kind === "timeout") {
      await link.close();
      s.link = undefined;
    }
  }

  /** One more request without an answer: past `downAfter` in a row, the SUT is down. */
  private noAnswer(): void {
    const limit = this.o.downAfter ?? DOWN_AFTER;
    if (++this.unanswered >= limit) throw new SutDown(`the SUT stopped answering: ${this.unanswered} request(s) in a row got no answer${limit > 1 ? ", the last on a fresh connection" : ""}`);
  }

  private malformedGraceMs(): number {
    const { perAnswer, minMs, maxMs } = MALFORMED_GRACE;
    const grace = this.slowestAnswerMs === undefined ? maxMs : Math.min(maxMs, Math.max(minMs, perAnswer * this.slowestAnswerMs));
    return Math.min(this.o.responseTimeoutMs, grace);
  }

  private now(): Date {
    return new Date(this.o.epoch.getTime() + this.o.clock.now());
  }
}

const money = (minor: number) => (minor / 100).toFixed(2);

function totalsOf(s: KitSession): Totals {
  return tally(s.approved.map((a) => ({ op: a.op, amount: a.amount, cancelled: a.reversed })));
}
