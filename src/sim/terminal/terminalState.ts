import { z } from "zod";
import type { Message } from "../../iso8583/message.js";
import { tally, type Card, type OriginalRef, type ReversalCause, type Totals } from "../../protocol/index.js";
import { DEFAULT_MAK, FIRST_BATCH } from "../defaults.js";

/** Names the state file's shape, so a file from an incompatible version is refused, not misread. */
export const STATE_FORMAT = "isoconf-terminal-state/1";

/** An approved purchase or refund of the open batch: what a void or refund refers back to. */
export interface BatchEntry {
  op: "purchase" | "refund";
  stan: string;
  /** Minor units. */
  amount: number;
  card: Card;
  ref: OriginalRef;
  /** An approved void took it back. */
  voided: boolean;
}

/**
 * The reversal journal's one entry: a reversible request that has no valid answer (yet). It is
 * written as soon as the request is sent, with cause `no_answer`, so a crash while waiting
 * still leaves it to reverse.
 */
export interface PendingReversal {
  /** The request as sent, without its MAC. */
  original: Message;
  cause: ReversalCause;
  /** The reversal as first sent; repeats send it again unchanged. */
  reversal?: Message;
  /** Reversals sent so far. */
  attempts: number;
}

/** Everything the terminal must remember across a restart. */
export interface TerminalState {
  format: typeof STATE_FORMAT;
  /** The last STAN used, 0 before the first request. */
  stan: number;
  batch: string;
  /** The MAC key in force, hex: DEFAULT_MAK until a sign-on replaces it. */
  mak: string;
  signedOn: boolean;
  pending?: PendingReversal;
  transactions: BatchEntry[];
}

export function initialState(): TerminalState {
  return { format: STATE_FORMAT, stan: 0, batch: FIRST_BATCH, mak: DEFAULT_MAK, signedOn: false, transactions: [] };
}

/**
 * A copy of `state` that later changes to `state` do not reach, for a store to keep. Only what
 * the terminal changes in place is copied: the record, the journal entry, the batch list and its
 * entries (a void marks one). Messages, cards and references are never changed once made, so the
 * copy shares them: a store takes a copy at every save, and a deep clone was most of its cost.
 */
export function copyState(state: TerminalState): TerminalState {
  const copy: TerminalState = { ...state, transactions: state.transactions.map((entry) => ({ ...entry })) };
  if (state.pending !== undefined) copy.pending = { ...state.pending };
  return copy;
}

/** STANs run 000001-999999 and wrap to 000001. */
const LAST_STAN = 999_999;

/** Takes the next STAN: advances the counter and returns it as six digits. */
export function takeStan(state: TerminalState): string {
  state.stan = (state.stan % LAST_STAN) + 1;
  return String(state.stan).padStart(6, "0");
}

/** The next batch number after `batch`, wrapping like the STAN. */
export function nextBatch(batch: string): string {
  return String((Number(batch) % LAST_STAN) + 1).padStart(6, "0");
}

/** Batch totals: approved purchases not voided are debits, approved refunds credits. */
export function batchTotals(state: TerminalState): Totals {
  return tally(state.transactions.map((e) => ({ op: e.op, amount: e.amount, cancelled: e.voided })));
}

const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`));
const message = z.object({ mti: digits(4), header: z.string().optional(), fields: z.record(z.string(), z.string()) }).strict();
const card = z.object({ pan: z.string(), expiry: z.string(), track2: z.string().optional() }).strict();
const ref = z
  .object({
    mti: z.string(),
    stan: z.string(),
    batch: z.string(),
    date: z.string(),
    transmission: z.string(),
    rrn: z.string().optional(),
    auth: z.string().optional(),
  })
  .strict();

/** What a state file must hold; checked on load so a damaged file is reported, not half-used. */
export const terminalStateSchema = z
  .object({
    format: z.literal(STATE_FORMAT),
    stan: z.number().int().min(0).max(LAST_STAN),
    batch: digits(6),
    mak: z.string().regex(/^([0-9A-F]{16}){1,2}$/),
    signedOn: z.boolean(),
    pending: z
      .object({
        original: message,
        cause: z.enum(["no_answer", "bad_mac", "other"]),
        reversal: message.optional(),
        attempts: z.number().int().min(0),
      })
      .strict()
      .optional(),
    transactions: z.array(
      z
        .object({ op: z.enum(["purchase", "refund"]), stan: digits(6), amount: z.number().int().min(0), card, ref, voided: z.boolean() })
        .strict(),
    ),
  })
  .strict();
