import type { Dialect } from "../../iso8583/dialect.js";
import type { Operation } from "../../iso8583/dialectTable.js";
import { packWithMac } from "../../iso8583/macMessage.js";
import type { Message } from "../../iso8583/message.js";
import { pack } from "../../iso8583/pack.js";
import { responseCodeInfo } from "../../iso8583/responseCodes.js";
import { unpack } from "../../iso8583/unpack.js";
import {
  batchOf,
  buildRequest,
  type Card,
  decodeWorkingKeys,
  isRequestMti,
  macRequired,
  type OriginalRef,
  operationRule,
  type RequestParams,
  type ReversalCause,
  parseBalance,
  rulesOf,
  settlementVerdict,
  timestamps,
} from "../../protocol/index.js";
import type { EcrCommand, EcrResult } from "../../ecr/ecrProtocol.js";
import { type Exchanged, HostConnection } from "./hostConnection.js";
import { judgeAnswer } from "./judgeAnswer.js";
import { ReversalJournal } from "./reversalJournal.js";
import { type ReferenceTerminalOptions, type ResolvedTerminalOptions, resolveTerminalOptions } from "./terminalOptions.js";
import { type BatchEntry, batchTotals, initialState, nextBatch, type PendingReversal, type TerminalState, takeStan } from "./terminalState.js";

/**
 * What a request got: nothing sent; no valid answer (why, and the reversal cause it amounts
 * to); or a valid answer. `left` is the journal entry the request leaves behind, when it
 * needs reversing.
 */
type Judged =
  | { kind: "unsent"; why: string }
  | { kind: "failed"; why: string; cause: ReversalCause }
  | { kind: "valid"; request: Message; response: Message; now: Date };
type Outcome = Judged & { left?: PendingReversal };

/** A refund without a STAN refers to an original the terminal does not know: zeros (docs/protocol-notes.md §2.4). */
const UNKNOWN_ORIGINAL: OriginalRef = { mti: "0200", stan: "000000", batch: "000000", date: "0000", transmission: "0000000000" };

/** A financial request with its amount in minor units; field 4 carries 12 digits. */
const amountField = (minor: number | undefined) => (minor === undefined ? undefined : String(minor).padStart(12, "0"));

/**
 * The reference terminal: correct unless a seeded bug is switched on. It keeps its STAN, batch,
 * working key, reversal journal and approved transactions in a state store, talks to the host
 * over one persistent link, and carries out ECR commands one at a time. The reversal rules are
 * the journal's (`ReversalJournal`).
 */
/** The echo a seeded bug leaves uncompared (`judgeAnswer`'s `unchecked`): a field, or the MTI. */
const UNCHECKED_BY_BUG: Record<string, readonly string[]> = { "accept-mismatched-stan": ["11"], "accept-wrong-tid": ["41"], "accept-wrong-mti": ["mti"] };

export class ReferenceTerminal {
  private readonly d: Dialect;
  private readonly host: HostConnection;
  private readonly journal: ReversalJournal;
  /** Commands run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly o: ResolvedTerminalOptions,
    private readonly state: TerminalState,
  ) {
    this.d = o.dialect;
    this.host = new HostConnection(o.connect, o.clock, { readsOneChunk: o.bug === "reads-one-chunk", hangsOnClose: o.bug === "hangs-on-close" });
    this.journal = new ReversalJournal({
      dialect: o.dialect,
      options: o,
      state,
      save: () => this.save(),
      send: (message, sent) => this.send(message, sent),
      mak: () => this.mak(),
      now: () => this.now(),
    });
  }

  /**
   * A terminal with the state its store holds. A fresh state is saved at once, so a store that
   * cannot be written fails here rather than at the first transaction.
   */
  static async open(options: ReferenceTerminalOptions): Promise<ReferenceTerminal> {
    const o = resolveTerminalOptions(options);
    const saved = await o.store.load();
    if (saved !== undefined) return new ReferenceTerminal(o, saved);
    const state = initialState();
    await o.store.save(state);
    return new ReferenceTerminal(o, state);
  }

  /**
   * Carries out one command once the previous ones have finished. Never rejects: a failure,
   * even an internal one, is a result with `result: "error"`.
   */
  execute(command: EcrCommand): Promise<EcrResult> {
    const run = this.queue.then(() => this.run(command));
    this.queue = run;
    return run;
  }

  /** Waits for the running command (which ends at once: its host link is closed), then releases the link. */
  async close(): Promise<void> {
    await this.host.close();
    await this.queue;
  }

  private async run(command: EcrCommand): Promise<EcrResult> {
    try {
      return await this.dispatch(command);
    } catch (e) {
      return { result: "error", message: `internal error: ${(e as Error).message}` };
    }
  }

  private dispatch(c: EcrCommand): Promise<EcrResult> | EcrResult {
    switch (c.cmd) {
      case "status":
        return this.status();
      case "signon":
        return this.signOn();
      case "sale": {
        const card = c.card ?? this.o.card;
        return this.journal.before(() => this.financial("purchase", { amount: c.amount, card }, this.booking("purchase", c.amount, card)));
      }
      case "balance":
        return this.journal.before(() => this.financial("balance", { card: c.card ?? this.o.card }));
      case "void": {
        const sale = this.findSale(c.stan);
        if (typeof sale === "string") return { result: "error", message: sale };
        if (sale.voided) return { result: "error", message: `the sale with STAN ${c.stan} is already voided` };
        return this.journal.before(() => this.financial("void", { amount: sale.amount, card: sale.card, original: sale.ref }, () => (sale.voided = true)));
      }
      case "refund": {
        const sale = c.stan === undefined ? undefined : this.findSale(c.stan);
        if (typeof sale === "string") return { result: "error", message: sale };
        const card = c.card ?? sale?.card ?? this.o.card;
        const original = sale?.ref ?? UNKNOWN_ORIGINAL;
        return this.journal.before(() => this.financial("refund", { amount: c.amount, card, original }, this.booking("refund", c.amount, card)));
      }
      case "settle":
        return this.journal.before(() => this.settle());
    }
  }

  /** Records an approved purchase or refund in the open batch. */
  private booking(op: BatchEntry["op"], amount: number, card: Card): (ref: OriginalRef) => void {
    return (ref) => this.state.transactions.push({ op, stan: ref.stan, amount, card, ref, voided: false });
  }

  private findSale(stan: string): BatchEntry | string {
    return this.state.transactions.find((e) => e.op === "purchase" && e.stan === stan) ?? `no approved sale with STAN ${stan} in the open batch`;
  }

  private status(): EcrResult {
    const s = this.state;
    return {
      result: "approved",
      message: "status",
      tid: this.o.tid,
      stan: String(s.stan).padStart(6, "0"),
      batch: s.batch,
      signedOn: s.signedOn,
      pendingReversal: s.pending ? this.journal.report(s.pending, "pending") : null,
      totals: batchTotals(s),
    };
  }

  /** Sign-on installs the working keys of the reply (CUP field 62) and adopts its batch. */
  private async signOn(): Promise<EcrResult> {
    const outcome = await this.request("signon", {});
    if (outcome.kind !== "valid") return this.failure(outcome);
    const { request, response } = outcome;
    const code = response.fields["39"];
    const stan = request.fields["11"];
    if (code !== rulesOf(this.d).codes.approved) return { result: "declined", message: this.declined(code), code, stan };
    if (this.d.table.mac !== null) {
      const keys = response.fields["62"];
      if (keys === undefined) return { result: "error", message: "the sign-on reply carries no working keys (field 62)", code, stan };
      try {
        this.state.mak = decodeWorkingKeys(this.o.tmk, keys).mak.toString("hex").toUpperCase();
      } catch (e) {
        return { result: "error", message: (e as Error).message, code, stan };
      }
    }
    this.state.batch = batchOf(this.d, response) ?? this.state.batch;
    this.state.signedOn = true;
    await this.save();
    return { result: "approved", message: "signed on", code, stan, batch: this.state.batch };
  }

  /**
   * A purchase, void, refund or balance inquiry. `book` records an approval (given what a later
   * void or refund would refer to) in the batch; the terminal saves the state after it.
   */
  private async financial(op: Operation, p: { amount?: number; card: Card; original?: OriginalRef }, book?: (ref: OriginalRef) => void): Promise<EcrResult> {
    const outcome = await this.request(op, { amount: amountField(p.amount), card: p.card, original: p.original });
    if (outcome.kind !== "valid") return this.failure(outcome);
    const { request, response, now } = outcome;
    const code = response.fields["39"];
    const stan = request.fields["11"];
    const base = { code, stan, amount: p.amount, ...this.leftReport(outcome) };
    if (code !== rulesOf(this.d).codes.approved) return { result: "declined", message: this.declined(code), ...base };
    const ts = timestamps(now);
    const ref: OriginalRef = {
      mti: request.mti,
      stan,
      batch: this.state.batch,
      date: ts.date,
      transmission: request.fields["7"] ?? ts.transmission,
      rrn: response.fields["37"],
      auth: response.fields["38"],
    };
    book?.(ref);
    await this.save();
    const result: EcrResult = { result: "approved", message: "approved", ...base, rrn: response.fields["37"], auth: response.fields["38"] };
    if (op === "balance") result.balance = parseBalance(response.fields["54"]);
    return result;
  }

  /** Sends the open batch's totals; a completed settlement (balanced or not) opens the next batch. */
  private async settle(): Promise<EcrResult> {
    const totals = batchTotals(this.state);
    const batch = this.state.batch;
    const outcome = await this.request("settlement", { totals });
    if (outcome.kind !== "valid") return this.failure(outcome);
    const { request, response } = outcome;
    const code = response.fields["39"];
    const base = { code, stan: request.fields["11"], batch, totals };
    // Balanced or not, a judged batch is closed; ISO 87 says "not balanced" with a code of its own.
    const verdict = settlementVerdict(this.d, response);
    if (verdict === undefined) return { result: "declined", message: this.declined(code), ...base };
    const balanced = verdict === "balanced";
    this.state.batch = nextBatch(batch);
    this.state.transactions = [];
    await this.save();
    return { result: "approved", message: balanced ? "settled: totals agree" : "settled: totals do not agree with the host's", balanced, ...base };
  }

  /** Builds, sends and judges one request, journalling it when it is reversible. */
  private async request(op: Operation, p: Partial<RequestParams>): Promise<Outcome> {
    const bug = this.o.bug;
    const now = this.now();
    const stanBefore = this.state.stan;
    const request = buildRequest(this.d, { op, tid: this.o.tid, mid: this.o.mid, stan: takeStan(this.state), batch: this.state.batch, now, ...p });
    // The STAN is spent once the request may have gone out, so a restart cannot reuse it.
    await this.save();
    const reversible = operationRule(this.d, op).reversible === true && bug !== "no-reversal";
    const sent = await this.send(request, reversible ? () => this.journal.record(request) : undefined);
    const judged = this.judge(request, sent, now);
    const approved = judged.kind === "valid" && judged.response.fields["39"] === rulesOf(this.d).codes.approved;
    if (bug === "stan-reuse" && !approved) this.state.stan = stanBefore;
    const left = judged.kind === "unsent" ? undefined : this.journal.resolve(request, judged.kind === "failed" ? judged.cause : approved ? "approved" : "declined");
    await this.save();
    return { ...judged, left };
  }

  private judge(request: Message, sent: Exchanged, now: Date): Judged {
    if (sent.kind === "unsent") return { kind: "unsent", why: `cannot reach the host: ${sent.reason}` };
    if (sent.kind === "none") return { kind: "failed", why: sent.reason, cause: "no_answer" };
    const unchecked = UNCHECKED_BY_BUG[this.o.bug ?? ""] ?? [];
    const judged = judgeAnswer(this.d, request, sent.body, this.mak(), { unchecked, takesCutAnswer: this.o.bug === "takes-truncated-approval" });
    if (judged.kind === "invalid") return { kind: "failed", why: judged.why, cause: judged.cause };
    return { kind: "valid", request, response: judged.response, now };
  }

  private failure(outcome: Outcome & { kind: "unsent" | "failed" }): EcrResult {
    const left = this.leftReport(outcome);
    const reason = left.reversals ? `; reversal pending with reason ${left.reversals[0].reason}` : "";
    return { result: "error", message: outcome.why + reason, ...left };
  }

  /** The reversal a request left pending, as a result's `reversals`. */
  private leftReport(outcome: Outcome): Pick<EcrResult, "reversals"> {
    return outcome.left === undefined ? {} : { reversals: [this.journal.report(outcome.left, "pending")] };
  }

  private declined(code: string): string {
    const meaning = responseCodeInfo(code, this.d.table.response_codes)?.en;
    return `declined: ${code}${meaning ? ` ${meaning}` : ""}`;
  }

  /** Requests the host starts itself (an echo test) are not answers: pass over them. */
  private readonly isHostRequest = (body: Buffer): boolean => {
    try {
      return isRequestMti(unpack(this.d, body).mti);
    } catch {
      return false;
    }
  };

  private send(message: Message, sent?: () => Promise<void>): Promise<Exchanged> {
    return this.host.exchange(this.frame(message), { timeoutMs: this.o.responseTimeoutMs, skip: this.isHostRequest, sent });
  }

  /**
   * Financial requests and reversals carry a MAC; sign-on and settlement go without, so a
   * terminal whose key the host no longer knows can still sign on.
   */
  private frame(m: Message): Buffer {
    return macRequired(this.d, m) ? packWithMac(this.d, m, this.mak()) : pack(this.d, m);
  }

  private mak(): Buffer {
    return Buffer.from(this.state.mak, "hex");
  }

  private now(): Date {
    return new Date(this.o.epoch.getTime() + this.o.clock.now());
  }

  private save(): Promise<void> {
    // The seeded bug keeps the journal in memory only.
    const state = this.o.bug === "reversal-lost-on-restart" ? { ...this.state, pending: undefined } : this.state;
    return this.o.store.save(state);
  }
}
