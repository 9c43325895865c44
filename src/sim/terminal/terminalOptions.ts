import type { Dialect } from "../../iso8583/dialect.js";
import { type Clock, realClock } from "../../link/clock.js";
import type { Link } from "../../link/link.js";
import { type Card, rulesOf } from "../../protocol/index.js";
import { DEFAULT_TMK, MERCHANT_ID, REGISTERED_TERMINALS } from "../defaults.js";
import type { TerminalBugName } from "./bugs.js";
import { memoryStateStore, type StateStore } from "./stateStore.js";

export interface ReferenceTerminalOptions {
  dialect: Dialect;
  /** Opens a connection to the host; called again whenever the previous one has closed. */
  connect: () => Promise<Link>;
  /** Terminal ID (field 41). Default the first registered terminal, TERM0001. */
  tid?: string;
  /** Merchant ID (field 42). Default MERCHANT_ID. */
  mid?: string;
  /** Terminal master key, which sign-on replies wrap the working keys under. Default DEFAULT_TMK. */
  tmk?: Buffer;
  /** How long to wait for each answer from the host. Default 30000 ms (CUP `ucCommWaitTime`). */
  responseTimeoutMs?: number;
  /** Reversals sent before a pending one is dropped. Default the dialect's (CUP: 3). */
  reversalAttempts?: number;
  /** Times every wait. Default the real clock. */
  clock?: Clock;
  /** Wall time at clock zero, for the date fields. Default the real clock's origin. */
  epoch?: Date;
  /** Misbehave on purpose (see bugs.ts). */
  bug?: TerminalBugName;
  /** Where state survives a restart. Default in memory: nothing survives the process. */
  store?: StateStore;
  /** The card used when a command names none. Default DEFAULT_CARD. */
  card?: Card;
}

export type ResolvedTerminalOptions = Required<Omit<ReferenceTerminalOptions, "bug">> & Pick<ReferenceTerminalOptions, "bug">;

/** The test card a command without `card` is made with: a CUP debit PAN, swiped. */
export const DEFAULT_CARD: Readonly<Card> = { pan: "6225880012345678", expiry: "2812", track2: "6225880012345678=28121010000" };

export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

export function resolveTerminalOptions(o: ReferenceTerminalOptions): ResolvedTerminalOptions {
  const reversalAttempts = o.reversalAttempts ?? rulesOf(o.dialect).reversal.attempts;
  if (!Number.isInteger(reversalAttempts) || reversalAttempts < 1) throw new Error(`reversal attempts must be an integer >= 1, got ${reversalAttempts}`);
  const responseTimeoutMs = o.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
  if (!(responseTimeoutMs > 0) || responseTimeoutMs === Infinity) throw new Error(`the response timeout must be a number of milliseconds > 0, got ${responseTimeoutMs}`);
  return {
    dialect: o.dialect,
    connect: o.connect,
    tid: o.tid ?? REGISTERED_TERMINALS[0],
    mid: o.mid ?? MERCHANT_ID,
    tmk: o.tmk ?? Buffer.from(DEFAULT_TMK, "hex"),
    responseTimeoutMs,
    reversalAttempts,
    clock: o.clock ?? realClock,
    // realClock counts from performance.timeOrigin.
    epoch: o.epoch ?? new Date(performance.timeOrigin),
    bug: o.bug,
    store: o.store ?? memoryStateStore(),
    card: o.card ?? DEFAULT_CARD,
  };
}
