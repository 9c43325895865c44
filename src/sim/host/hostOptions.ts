import { type Clock, realClock } from "../../link/clock.js";
import { DEFAULT_MAK, DEFAULT_TMK, HOST_REGISTRY, MERCHANT_ID } from "../defaults.js";
import type { FileCard } from "../../scenario/cardFile.js";
import { type HostBugName, hostBug } from "./bugs.js";

/** What the host does with a request it has already answered (same matching key). */
export type DuplicatePolicy = "decline" | "replay";

/** One registered terminal. */
export interface TerminalConfig {
  tid: string;
  /** The merchant the terminal belongs to: a request under another merchant ID is refused (97). */
  mid: string;
  /** Terminal master key, hex (8, 16 or 24 bytes): sign-on replies carry the working keys under it. */
  tmk: string;
}

export interface HostOptions {
  /** The terminal registry. Default: TERM0001-TERM0128 (`HOST_REGISTRY`) of the default merchant, under DEFAULT_TMK. */
  terminals?: readonly TerminalConfig[];
  /** `decline` answers a duplicate with the dialect's duplicate code (94); `replay` resends the first answer. Default `decline`. */
  duplicates?: DuplicatePolicy;
  /** How long every answer is held before it is sent (network latency). Default 0. */
  responseDelayMs?: number;
  /** How long the `slow-response` bug holds an answer: longer than the kit's timeout. Default 35000. */
  slowResponseMs?: number;
  /** A seeded bug to run with; see `HOST_BUGS`. Default none: a correct host. */
  bug?: HostBugName;
  /** Where the host takes its time from (answer delays, host time fields). Default `realClock`. */
  clock?: Clock;
  /** Wall time at `clock.now()` = 0, for the date and time fields. Default: derived from the clock at start. */
  epoch?: Date;
  /** Seeds the working keys, RRNs and authorisation codes. Default 1. */
  seed?: number;
  /**
   * A card table (a card file's cards): card requests for a card not in it are declined (05), an
   * operation the card does not allow is refused (12), and a card's `balance` is its opening one.
   * Default none: every card is known.
   */
  cards?: readonly FileCard[];
}

/** HostOptions with every default filled in and checked. */
export type ResolvedHostOptions = Required<Omit<HostOptions, "bug" | "cards">> & { bug: HostBugName | undefined; cards: ReadonlyMap<string, FileCard> | undefined };

const DEFAULT_SLOW_RESPONSE_MS = 35_000;
const DEFAULT_SEED = 1;

export const DEFAULT_TERMINALS: readonly TerminalConfig[] = HOST_REGISTRY.map((tid) => ({ tid, mid: MERCHANT_ID, tmk: DEFAULT_TMK }));

/** The MAC key a terminal has before its first sign-on. */
export const INITIAL_MAK = Buffer.from(DEFAULT_MAK, "hex");

const KEY_HEX = /^(?:[0-9A-Fa-f]{16}){1,3}$/;

function checkMs(what: string, ms: number): number {
  if (!(ms >= 0 && ms < Infinity)) throw new Error(`${what} must be a finite number of milliseconds >= 0, got ${ms}`);
  return ms;
}

/** Registries checked already: an in-process run makes a host per scenario, each with the run's registry. */
const checkedRegistries = new WeakSet<readonly TerminalConfig[]>();

function checkRegistry(terminals: readonly TerminalConfig[]): void {
  if (checkedRegistries.has(terminals)) return;
  for (const t of terminals) {
    if (!KEY_HEX.test(t.tmk)) throw new Error(`terminal ${t.tid}: tmk must be 16, 32 or 48 hexadecimal characters`);
  }
  if (new Set(terminals.map((t) => t.tid)).size !== terminals.length) throw new Error("terminal IDs in the registry must be unique");
  checkedRegistries.add(terminals);
}

export function resolveHostOptions(o: HostOptions): ResolvedHostOptions {
  const clock = o.clock ?? realClock;
  const terminals = o.terminals ?? DEFAULT_TERMINALS;
  checkRegistry(terminals);
  if (o.bug !== undefined) hostBug(o.bug);
  const duplicates = o.duplicates ?? "decline";
  if (duplicates !== "decline" && duplicates !== "replay") throw new Error(`duplicates must be decline or replay, got ${String(duplicates)}`);
  const seed = o.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be an integer >= 0, got ${seed}`);
  return {
    terminals,
    duplicates,
    responseDelayMs: checkMs("responseDelayMs", o.responseDelayMs ?? 0),
    slowResponseMs: checkMs("slowResponseMs", o.slowResponseMs ?? DEFAULT_SLOW_RESPONSE_MS),
    bug: o.bug,
    clock,
    epoch: o.epoch ?? new Date(Date.now() - clock.now()),
    seed,
    cards: o.cards === undefined ? undefined : new Map(o.cards.map((c) => [c.pan, c])),
  };
}
