import type { Clock } from "../link/clock.js";
import type { Closed, Timeout } from "../link/eventQueue.js";
import type { Link } from "../link/link.js";
import type { TerminalControl } from "./terminalControl.js";

/**
 * The SUT is not shaped as the kit was told (a host that dials one link where the kit expects one
 * per terminal): the kit cannot judge it, and the run stops saying what to set, rather than blame
 * the SUT for the kit's assumption.
 */
export class TargetMismatch extends Error {
  override readonly name = "TargetMismatch";
}

/** One host made ready for one scenario: how to reach it, on which clock, and how to let it go. */
export interface OpenTarget {
  clock: Clock;
  /** A new connection to the SUT. */
  connect(): Promise<Link>;
  /** Releases what `open` made (connections, an in-process SUT, a virtual clock). */
  close(): Promise<void>;
}

/**
 * A host under test, as the runner sees it: `open` prepares a fresh (or reset) SUT per
 * scenario. In-process targets build a new reference SUT on a virtual clock; external ones
 * connect over TCP on the real clock and run the user's reset hook.
 */
export interface Target {
  role: "host";
  /** For reports: `in-process reference host (bug double-post-duplicate)`, `tcp://10.0.0.5:5000`. */
  description: string;
  /** Real-clock targets cost real time per timeout; the runner sizes its defaults on this. */
  realTime: boolean;
  open(): Promise<OpenTarget>;
}

/** One terminal made ready for one scenario: its connections to the kit (its host), and its control. */
export interface OpenTerminalTarget {
  clock: Clock;
  /**
   * The terminal's next connection to the kit: one it opened (the kit listens), one the kit
   * opened to it, or its serial line again once the previous one closed. `closed` once the
   * target is closed.
   */
  accept(options: { deadlineMs: number }): Promise<Link | Timeout | Closed>;
  /** How the kit tells the terminal what to do next (or, passive, does not). */
  control: TerminalControl;
  /** Releases what `open` made: the terminal's links, an in-process terminal, a virtual clock. */
  close(): Promise<void>;
}

/**
 * A terminal under test, as the runner sees it. In-process, a fresh reference terminal per
 * scenario on a virtual clock; otherwise a device or program reached over TCP or serial and
 * steered by a control adapter, on the real clock.
 */
export interface TerminalTarget {
  role: "terminal";
  /** For reports: `in-process reference terminal`, `listening on tcp://0.0.0.0:8583, control ecr /dev/ttyUSB0`. */
  description: string;
  realTime: boolean;
  open(): Promise<OpenTerminalTarget>;
}

/** A system under test of either role: a host (`Target`) or a terminal. */
export type SutTarget = Target | TerminalTarget;
