import type { Dialect } from "../../iso8583/dialect.js";
import type { Message } from "../../iso8583/message.js";
import { buildReversal, type ReversalCause, rulesOf } from "../../protocol/index.js";
import type { EcrResult, ReversalReport } from "../../ecr/ecrProtocol.js";
import type { Exchanged } from "./hostConnection.js";
import { judgeAnswer } from "./judgeAnswer.js";
import type { ResolvedTerminalOptions } from "./terminalOptions.js";
import { type PendingReversal, type TerminalState, takeStan } from "./terminalState.js";

/** What the journal uses of its terminal. */
export interface JournalContext {
  readonly dialect: Dialect;
  readonly options: ResolvedTerminalOptions;
  readonly state: TerminalState;
  save(): Promise<void>;
  /** Sends one message to the host and waits for its answer; `sent` runs once it is out. */
  send(message: Message, sent?: () => Promise<void>): Promise<Exchanged>;
  mak(): Buffer;
  now(): Date;
}

/** How a journalled request was answered: valid (approved or declined), or why it needs reversing. */
export type Answered = "approved" | "declined" | ReversalCause;

/**
 * The reversal journal and its rules (docs/protocol-notes.md §2.7): a reversible request is journalled
 * the moment it is sent, with reason "no answer"; a valid answer, approval or decline, clears
 * it; an invalid one gives it its reason (A0 bad MAC, 06 other). The pending reversal goes out
 * before the next financial request or settlement, resent unchanged until any answer closes it
 * or the attempts run out. The seeded reversal bugs live here too.
 */
export class ReversalJournal {
  constructor(private readonly t: JournalContext) {}

  /** Journals `request`, which has just gone out. */
  async record(request: Message): Promise<void> {
    this.t.state.pending = { original: request, cause: "no_answer", attempts: 0 };
    await this.t.save();
  }

  /** Books the answer to `request`; returns its entry when it is left to reverse. The caller saves. */
  resolve(request: Message, answered: Answered): PendingReversal | undefined {
    const entry = this.t.state.pending;
    if (entry?.original !== request) return undefined;
    const bug = this.t.options.bug;
    if (answered === "approved" || (answered === "declined" && bug !== "reverse-declined")) {
      this.t.state.pending = undefined;
      return undefined;
    }
    if (answered === "declined") entry.cause = "other";
    else if (bug !== "wrong-reason-code") entry.cause = answered;
    return entry;
  }

  /**
   * Runs a financial command after the pending reversal, if any; when that reversal cannot be
   * sent or is dropped, the command stops there with an error. `reversal-after-next` runs the
   * command first.
   */
  async before(run: () => Promise<EcrResult>): Promise<EcrResult> {
    const state = this.t.state;
    if (this.t.options.bug === "reversal-after-next" && state.pending !== undefined) {
      const held = state.pending;
      state.pending = undefined;
      const result = await run();
      const fresh = state.pending;
      state.pending = held;
      const late = await this.reverse();
      state.pending ??= fresh;
      await this.t.save();
      return { ...result, reversals: [...(result.reversals ?? []), ...(late.report ? [late.report] : [])] };
    }
    const first = await this.reverse();
    if (first.report === undefined) return run();
    if (first.error !== undefined) return { result: "error", message: first.error, reversals: [first.report] };
    const result = await run();
    return { ...result, reversals: [first.report, ...(result.reversals ?? [])] };
  }

  /** The entry as results report it. */
  report(p: PendingReversal, state: ReversalReport["state"]): ReversalReport {
    const reason = p.reversal?.fields["39"] ?? rulesOf(this.t.dialect).reversal.reasons[p.cause];
    return { stan: p.original.fields["11"], reason, attempts: p.attempts, state };
  }

  /** Sends the pending reversal until an answer closes it or the attempts run out. */
  private async reverse(): Promise<{ report?: ReversalReport; error?: string }> {
    const { state, options, dialect } = this.t;
    const p = state.pending;
    if (p === undefined) return {};
    const limit = options.bug === "reversal-no-retry" ? 1 : options.reversalAttempts;
    if (p.reversal === undefined) {
      p.reversal = this.reversalOf(p);
      await this.t.save();
    }
    const reversal = p.reversal;
    while (p.attempts < limit) {
      const sent = await this.t.send(reversal, async () => {
        p.attempts++;
        await this.t.save();
      });
      if (sent.kind === "unsent") return { report: this.report(p, "pending"), error: `cannot reach the host to send the pending reversal: ${sent.reason}` };
      // Any valid answer closes a reversal, whatever its code: 00, 12 and 25 alike.
      const judged = sent.kind === "answer" ? judgeAnswer(dialect, reversal, sent.body, this.t.mak()) : undefined;
      if (judged?.kind === "valid") {
        state.pending = undefined;
        await this.t.save();
        if (options.bug === "double-reversal") await this.t.send(this.reversalOf(p));
        return { report: { ...this.report(p, "acknowledged"), code: judged.response.fields["39"] } };
      }
    }
    state.pending = undefined;
    await this.t.save();
    return {
      report: this.report(p, "dropped"),
      error: `the reversal of STAN ${p.original.fields["11"]} went unanswered ${p.attempts} times and was dropped: the cardholder may have been charged, check with the acquirer`,
    };
  }

  /** The reversal of a journalled request; dialects with `reversal.stan: new` give it a STAN of its own. */
  private reversalOf(p: PendingReversal): Message {
    const { state, dialect } = this.t;
    const original = this.t.options.bug === "reversal-wrong-stan" ? { ...p.original, fields: { ...p.original.fields, "11": takeStan(state) } } : p.original;
    const newStan = rulesOf(dialect).reversal.stan === "new" ? takeStan(state) : undefined;
    return buildReversal(dialect, original, p.cause, { newStan, now: this.t.now() });
  }
}
