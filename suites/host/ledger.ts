import type { Dialect } from "../../src/iso8583/dialect.js";
import type { Message } from "../../src/iso8583/message.js";
import {
  decodeTotals,
  isReversal,
  networkCodeOf,
  operationOf,
  referencedStan,
  requestKey,
  reversedStan,
  rulesOf,
  sameTotals,
  settlementBalanced,
  settlementVerdict,
  tally,
  type Totals,
} from "../../src/protocol/index.js";
import { exchanges, type Exchange } from "../../src/runner/exchanges.js";
import type { CheckContext } from "../../src/runner/property.js";
import type { TraceEvent } from "../../src/trace/traceEvent.js";

/** One financial request as the kit counts it: a duplicate send is the same posting. */
export interface Posting {
  tid: string;
  stan: string;
  op: "purchase" | "refund";
  amount: number;
  /** The exchange whose answer approved it. */
  approvedBy: Exchange;
  /** Exchanges that took it back: an acknowledged reversal or an approved void. */
  cancelledBy?: Exchange;
  /** A reversal was sent but never answered: whether the host still counts it is unknown. */
  indeterminate: boolean;
}

export interface Settlement {
  tid: string;
  exchange: Exchange;
  /** The kit's totals in the request. */
  sent: Totals | undefined;
  /** What the trace says should count: approvals not taken back, since the last settlement. */
  expected: Totals;
  /** True when an unanswered reversal leaves the host's totals unknowable. */
  indeterminate: boolean;
  /** Postings of the batch (for attributing a mismatch). */
  postings: Posting[];
  /** The batch's reversals (answered or not) in the order they were sent. */
  reversals: Reversal[];
}

/** A reversal and the posting it aimed at (undefined: the original was never approved). */
export interface Reversal {
  exchange: Exchange;
  target: Posting | undefined;
}

/** Everything the host properties need to know about money: postings, reversals, settlements. */
export interface Ledger {
  dialect: Dialect;
  exchanges: Exchange[];
  postings: Posting[];
  reversals: Reversal[];
  settlements: Settlement[];
}

export const responseOf = (x: Exchange): Message | undefined => x.responses[0]?.message;
export const codeOf = (x: Exchange): string | undefined => responseOf(x)?.fields["39"];

// Most host properties read the same ledger of the same trace: compute it once per trace.
const cache = new WeakMap<readonly TraceEvent[], Ledger>();

/** The ledger of a trace (computed once per trace and dialect). */
export function ledger(dialect: Dialect, trace: readonly TraceEvent[]): Ledger {
  let l = cache.get(trace);
  if (l === undefined || l.dialect !== dialect) {
    l = computeLedger(dialect, trace);
    cache.set(trace, l);
  }
  return l;
}

function computeLedger(dialect: Dialect, trace: readonly TraceEvent[]): Ledger {
  const approved = rulesOf(dialect).codes.approved;
  const out: Ledger = { dialect, exchanges: exchanges(trace), postings: [], reversals: [], settlements: [] };
  const seen = new Set<string>();
  let open: Posting[] = [];
  let unsettled: Reversal[] = [];
  const find = (tid: string, stan: string | undefined) =>
    open.find((p) => p.tid === tid && p.stan === stan && p.cancelledBy === undefined);
  for (const x of out.exchanges) {
    const req = x.request.message!;
    const tid = req.fields["41"] ?? "";
    const code = codeOf(x);
    if (isReversal(dialect, req)) {
      const target = open.find((p) => p.tid === tid && p.stan === reversedStan(dialect, req));
      out.reversals.push({ exchange: x, target });
      unsettled.push({ exchange: x, target });
      if (target && target.cancelledBy === undefined) {
        if (code === undefined) target.indeterminate = true;
        else {
          target.cancelledBy = x;
          target.indeterminate = false;
        }
      }
      continue;
    }
    const op = operationOf(dialect, req.mti, req.fields["3"], networkCodeOf(dialect, req));
    if (op === "settlement") {
      const mine = open.filter((p) => p.tid === tid);
      out.settlements.push({
        tid,
        exchange: x,
        sent: decodeTotals(dialect, req),
        expected: totalsOf(mine),
        indeterminate: mine.some((p) => p.indeterminate),
        postings: mine,
        reversals: unsettled.filter((r) => r.exchange.request.message!.fields["41"] === tid),
      });
      if (code === approved) {
        open = open.filter((p) => p.tid !== tid);
        unsettled = unsettled.filter((r) => r.exchange.request.message!.fields["41"] !== tid);
      }
      continue;
    }
    if (code !== approved) continue;
    if (op === "void") {
      const target = find(tid, referencedStan(dialect, req));
      if (target) target.cancelledBy = x;
    } else if (op === "purchase" || op === "refund") {
      const key = requestKey(dialect, req);
      if (seen.has(key)) continue;
      seen.add(key);
      const p: Posting = { tid, stan: req.fields["11"] ?? "", op, amount: Number(req.fields["4"] ?? 0), approvedBy: x, indeterminate: false };
      out.postings.push(p);
      open.push(p);
    }
  }
  return out;
}

function totalsOf(postings: Posting[]): Totals {
  return tally(postings.map((p) => ({ op: p.op, amount: p.amount, cancelled: p.cancelledBy !== undefined })));
}

export const formatTotals = (t: Totals | undefined) =>
  t === undefined ? "no totals" : `debits ${t.debitCount}/${(t.debitAmount / 100).toFixed(2)}, credits ${t.creditCount}/${(t.creditAmount / 100).toFixed(2)}`;

/**
 * Settlements whose verdict the trace can judge: a registered terminal's, where the kit sent what
 * it counted, nothing is indeterminate, and the reply is a verdict (not 97, A0 or 96).
 */
export function judgeable(l: Ledger, ctx: CheckContext): Settlement[] {
  return l.settlements.filter((s) => {
    const reply = responseOf(s.exchange);
    return (
      ctx.registeredTerminals.includes(s.tid) &&
      !s.indeterminate &&
      s.sent !== undefined &&
      sameTotals(s.sent, s.expected) &&
      reply !== undefined &&
      settlementVerdict(ctx.dialect, reply) !== undefined
    );
  });
}

/** A reversal that undid its posting: the first acknowledged one aimed at an approved transaction. */
export const undoes = (r: Reversal) => r.target !== undefined && r.target.cancelledBy === r.exchange;

/** A reversal that must change nothing: of a transaction never approved, or already taken back. */
export const isNoop = (r: Reversal) => r.target === undefined || (r.target.cancelledBy !== undefined && r.target.cancelledBy !== r.exchange);

/**
 * A batch's reversals as a settlement can judge them. The settlement answers one bit (balanced
 * or not), so an imbalance is blamed on reversals only when one kind could cause it: `undoing`
 * (reversals that must take a posting out) or `noops` (repeated or unknown ones, which must
 * change nothing). A batch with both is `mixed`: H-REV-1 leaves it, and H-REV-2 judges it only
 * when another batch of the trace shows the host applying reversals (see `reversalsVouched`).
 */
export function batchReversals(s: Settlement): { undoing: Reversal[]; noops: Reversal[]; mixed: boolean } {
  const undoing = s.reversals.filter(undoes);
  const noops = s.reversals.filter(isNoop);
  return { undoing, noops, mixed: undoing.length > 0 && noops.length > 0 };
}

/**
 * A settlement that vouches for the host's reversals: judged, balanced, and with undoing
 * reversals only. With one, a mixed batch's imbalance lies with its repeated or unknown reversals.
 */
export function reversalsVouched(l: Ledger, ctx: CheckContext): Settlement | undefined {
  return judgeable(l, ctx).find((s) => {
    const { undoing, noops } = batchReversals(s);
    return undoing.length > 0 && noops.length === 0 && settlementBalanced(ctx.dialect, responseOf(s.exchange)!);
  });
}
