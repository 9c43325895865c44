import type { Clock } from "../link/clock.js";
import type { Card } from "../protocol/index.js";
import { maskPan, maskTrack } from "../trace/mask.js";
import type { ControlOutcome } from "../trace/traceEvent.js";

/** What the kit asks a terminal under test to do in one step. */
export type TerminalCommand =
  | { op: "signon" }
  | { op: "purchase"; amount: number; card?: Card }
  | { op: "balance"; card?: Card }
  /** Voids the approved purchase with that STAN (its amount, for adapters that need it). */
  | { op: "void"; stan: string; amount: number }
  /** Refunds the purchase with that STAN, or, without one, an original the terminal does not know. */
  | { op: "refund"; amount: number; stan?: string; card?: Card }
  | { op: "settlement" };

/** Every operation a terminal command can name (the record holds the list to the type). */
const COMMAND_OPS: Record<TerminalCommand["op"], true> = { signon: true, purchase: true, balance: true, void: true, refund: true, settlement: true };
export const TERMINAL_COMMAND_OPS = Object.keys(COMMAND_OPS) as TerminalCommand["op"][];

/**
 * What the terminal reported for a command, as far as its adapter can tell: `approved` and
 * `declined` are the host's verdict as the terminal took it; `failed` means no valid answer or
 * not carried out; `unknown` that the adapter cannot tell (an operator who did not say, an exit
 * code without meaning). Properties read `approved` as "the terminal took it for an approval".
 * The trace records it as it is (`ControlOutcome`, declared with the trace's events).
 */
export type ControlResult = ControlOutcome;

/**
 * How the kit steers a terminal under test: the `ecr` protocol, a command per operation
 * (`exec`), an operator (`manual`), or not at all (`passive`: the terminal acts on its own and
 * the kit only decides how to answer each of its requests).
 */
export interface TerminalControl {
  /** For reports: `ecr /dev/ttyUSB0`, `exec`, `in-process`. */
  readonly description: string;
  /** False for `passive`: `perform` is never called, and steps follow the terminal's own requests. */
  readonly drives: boolean;
  /** Whether `restart` can restart the terminal; scenarios without it have no restart steps. */
  readonly canRestart: boolean;
  /** Operations it has no way to carry out (an `exec` adapter without their command line): scenarios leave them out. */
  readonly cannot?: readonly TerminalCommand["op"][];
  /** Passive control: how long the terminal may stay silent before the scenario gives up on it. */
  readonly idleMs?: number;
  /** Has the terminal carry out `command`; resolves with its result by `deadlineMs` at the latest. */
  perform(command: TerminalCommand, options: { deadlineMs: number }): Promise<ControlResult>;
  /** Restarts the terminal (its stored state survives, as a power cycle leaves it). */
  restart(options: { deadlineMs: number }): Promise<void>;
  close(): Promise<void>;
}

/** A command as the trace records it: card data masked, since trace details are not masked later. */
export function describeCommand(c: TerminalCommand): Record<string, unknown> {
  if (!("card" in c) || c.card === undefined) return { ...c };
  const card: Record<string, string> = { pan: maskPan(c.card.pan), expiry: "****" };
  if (c.card.track2 !== undefined) card.track2 = maskTrack(c.card.track2);
  return { ...c, card };
}

/** The money of a command for people: `purchase 5.00`, `void 000012`. */
export function commandText(c: TerminalCommand): string {
  const money = (minor: number) => (minor / 100).toFixed(2);
  switch (c.op) {
    case "purchase":
      return `purchase ${money(c.amount)}`;
    case "refund":
      return `refund ${money(c.amount)}${c.stan ? ` of STAN ${c.stan}` : ""}`;
    case "void":
      return `void STAN ${c.stan}`;
    default:
      return c.op;
  }
}

/** `result`, or after `deadlineMs` on `clock` a result saying none came: a stuck terminal is its own failure. */
export function resultBy(result: Promise<ControlResult>, deadlineMs: number, clock: Clock): Promise<ControlResult> {
  return new Promise((resolve, reject) => {
    const cancel = clock.setTimer(deadlineMs, () => resolve({ outcome: "unknown", message: `no result within ${deadlineMs} ms` }));
    result.then(
      (r) => {
        cancel();
        resolve(r);
      },
      (e: unknown) => {
        cancel();
        reject(e);
      },
    );
  });
}
