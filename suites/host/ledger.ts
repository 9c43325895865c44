import type { Dialect } from "../../src/iso8583/dialect.js";
import type { Message } from "../../src/iso8583/message.js";
import {
  decodeTotals,
  isAdvice,
  isFinancial,
  isReversal,
  networkCodeOf,
  operationOf,
  panOf,
  parseBalance,
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
import type { HostFaultKind } from "../../src/scenario/scenario.js";
import type { TraceEvent } from "../../src/trace/traceEvent.js";

/** One financial request as the kit counts it: a duplicate send is the same posting. */
export interface Posting {
  tid: string;
  stan: string;
  /** A pre-auth holds its amount on the card: it counts in the balance, not in the batch totals; an advice is a debit. */
  op: "purchase" | "refund" | "preauth" | "advice";
  amount: number;
  pan: string | undefined;
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

/**
 * A card's balance read before and after the steps (the SUT profile's `balances: inquiry`), with
 * what the trace says it should have moved by, and what happened to the card that could explain a
 * difference: duplicate sends, reversals that undo, reversals that must change nothing.
 */
export interface BalanceCheck {
  before: Exchange;
  after: Exchange;
  /** Minor units, as field 54 said. */
  observed: number;
  expected: number;
  duplicates: Exchange[];
  undoing: Reversal[];
  noops: Reversal[];
}

/** Everything the host properties need to know about money: postings, reversals, settlements, balances. */
export interface Ledger {
  dialect: Dialect;
  exchanges: Exchange[];
  postings: Posting[];
  reversals: Reversal[];
  settlements: Settlement[];
  /** Cards whose balance both readings report, and whose postings the trace can account for. */
  balances: BalanceCheck[];
}

/** The kit's faults that send a request twice: one after the other on a connection, or at the same moment on two. */
export const DUPLICATE_FAULTS: ReadonlySet<string | undefined> = new Set(["duplicate", "race_duplicate"] satisfies HostFaultKind[]);

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
  const out: Ledger = { dialect, exchanges: exchanges(trace), postings: [], reversals: [], settlements: [], balances: [] };
  const observations = observationsOf(trace, out.exchanges);
  const seen = new Set<string>();
  let open: Posting[] = [];
  let unsettled: Reversal[] = [];
  const find = (tid: string, stan: string | undefined) =>
    open.find((p) => p.tid === tid && p.stan === stan && p.cancelledBy === undefined);
  for (const x of out.exchanges) {
    const req = x.request.message!;
    const tid = req.fields["41"] ?? "";
    const code = codeOf(x);
    if (observations.has(x)) continue;
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
    const op = isAdvice(dialect, req) ? "advice" : operationOf(dialect, req.mti, req.fields["3"], networkCodeOf(dialect, req));
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
    } else if (op === "purchase" || op === "refund" || op === "preauth" || op === "advice") {
      // A duplicate or an advice's repeat (same key) is the same posting.
      const key = requestKey(dialect, req);
      if (seen.has(key)) continue;
      seen.add(key);
      const p: Posting = { tid, stan: req.fields["11"] ?? "", op, amount: Number(req.fields["4"] ?? 0), pan: panOf(req), approvedBy: x, indeterminate: false };
      out.postings.push(p);
      open.push(p);
    }
  }
  out.balances = balanceChecks(out, observations);
  return out;
}

/** The exchanges the kit marked as balance observations (a note just before each), and when. */
function observationsOf(trace: readonly TraceEvent[], all: readonly Exchange[]): Map<Exchange, "before" | "after"> {
  const out = new Map<Exchange, "before" | "after">();
  for (const e of trace) {
    const when = e.kind === "note" ? e.detail?.observe : undefined;
    if (when !== "before" && when !== "after") continue;
    const x = all.find((x) => x.request.seq > e.seq);
    if (x !== undefined) out.set(x, when);
  }
  return out;
}

/**
 * Each card read approved before and after, and what its balance should have moved by: approved
 * purchases and pre-auths take their amount, refunds give it, and what was voided or undone by a
 * reversal counts for nothing. A card with a reversal that went unanswered is left out: whether
 * the host applied it is unknown.
 */
function balanceChecks(l: Ledger, observations: Map<Exchange, "before" | "after">): BalanceCheck[] {
  const approved = rulesOf(l.dialect).codes.approved;
  const reading = (x: Exchange) => (codeOf(x) === approved ? parseBalance(responseOf(x)?.fields["54"]) : undefined);
  const out: BalanceCheck[] = [];
  const all = [...observations];
  const voids = new Set(
    l.exchanges.flatMap((x) => {
      const m = x.request.message;
      return operationOf(l.dialect, m.mti, m.fields["3"], networkCodeOf(l.dialect, m)) === "void" && codeOf(x) === approved ? [`${m.fields["41"]}|${m.fields["11"]}`] : [];
    }),
  );
  for (const [before, when] of all) {
    const pan = panOf(before.request.message);
    const after = all.find(([x, w]) => w === "after" && panOf(x.request.message) === pan)?.[0];
    if (when !== "before" || pan === undefined || after === undefined) continue;
    const [from, to] = [reading(before), reading(after)];
    const postings = l.postings.filter((p) => p.pan === pan);
    if (from === undefined || to === undefined || postings.some((p) => p.indeterminate)) continue;
    const sign = { purchase: -1, preauth: -1, refund: 1, advice: -1 } as const;
    const moved = postings.reduce((n, p) => n + (p.cancelledBy === undefined ? sign[p.op] * p.amount : 0), 0);
    const reversals = l.reversals.filter((r) => panOf(r.exchange.request.message) === pan && r.exchange.responses.length > 0);
    // A reversal of a void puts its purchase back: the ledger does not follow voids that far.
    if (reversals.some((r) => r.target === undefined && voids.has(`${r.exchange.request.message.fields["41"]}|${reversedStan(l.dialect, r.exchange.request.message)}`))) continue;
    out.push({
      before,
      after,
      observed: to - from,
      expected: moved,
      duplicates: l.exchanges.filter((x) => DUPLICATE_FAULTS.has(x.fault) && panOf(x.request.message) === pan && isFinancial(l.dialect, x.request.message)),
      undoing: reversals.filter(undoes),
      noops: reversals.filter(isNoop),
    });
  }
  return out;
}

/**
 * Each advice sent again under a key sent before (a repeat: 0221, or resent as it was), with its
 * first send: a repeat is the same posting, as a duplicate is.
 */
export function adviceRepeats(l: Ledger): { first: Exchange; repeat: Exchange }[] {
  const firsts = new Map<string, Exchange>();
  const out: { first: Exchange; repeat: Exchange }[] = [];
  for (const x of l.exchanges) {
    if (!isAdvice(l.dialect, x.request.message)) continue;
    const key = requestKey(l.dialect, x.request.message);
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, x);
    else out.push({ first, repeat: x });
  }
  return out;
}

type BalanceKind = "duplicates" | "undoing" | "noops";

/**
 * The balance checks `kind` answers for: the card had `kind` and nothing else that could explain a
 * difference; or, a card with both reversals that undo and reversals that must change nothing,
 * all of debits, judged by the direction of the difference: a balance left lower than it should
 * be kept a debit a reversal should have undone, one left higher took a credit no reversal
 * should have given. A card with a duplicate and reversals is judged by none of them.
 */
export function balancesOnly(l: Ledger, kind: BalanceKind): BalanceCheck[] {
  return l.balances.filter((b) => b[kind].length > 0 && blamed(b).includes(kind));
}

function blamed(b: BalanceCheck): BalanceKind[] {
  const present = (["duplicates", "undoing", "noops"] as const).filter((k) => b[k].length > 0);
  if (present.length === 1) return present;
  const debits = b.undoing.every((r) => r.target?.op !== "refund");
  if (present.length === 2 && b.duplicates.length === 0 && debits) return b.observed === b.expected ? ["undoing", "noops"] : [b.observed < b.expected ? "undoing" : "noops"];
  return [];
}

/** `-12.34`, `+0.00`: a balance movement in major units. */
export const formatMovement = (minor: number) => `${minor < 0 ? "-" : "+"}${(Math.abs(minor) / 100).toFixed(2)}`;

/** The evidence of a balance check: both readings, with their answers. */
export const balanceEvidence = (b: BalanceCheck) => [b.before.request.seq, b.before.responses[0].seq, b.after.request.seq, b.after.responses[0].seq];

function totalsOf(postings: Posting[]): Totals {
  // Pre-auths hold money on the card but are not in a batch's totals.
  return tally(postings.flatMap((p) => (p.op === "preauth" ? [] : [{ op: p.op, amount: p.amount, cancelled: p.cancelledBy !== undefined }])));
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
