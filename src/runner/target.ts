import type { Clock } from "../link/clock.js";
import type { Link } from "../link/link.js";

/** One SUT made ready for one scenario: how to reach it, on which clock, and how to let it go. */
export interface OpenTarget {
  clock: Clock;
  /** A new connection to the SUT. */
  connect(): Promise<Link>;
  /** Releases what `open` made (connections, an in-process SUT, a virtual clock). */
  close(): Promise<void>;
}

/**
 * A system under test, as the runner sees it: `open` prepares a fresh (or reset) SUT per
 * scenario. In-process targets build a new reference SUT on a virtual clock; external ones
 * connect over TCP on the real clock and run the user's reset hook.
 */
export interface Target {
  /** For reports: `in-process reference host (bug double-post-duplicate)`, `tcp://10.0.0.5:5000`. */
  description: string;
  /** Real-clock targets cost real time per timeout; the runner sizes its defaults on this. */
  realTime: boolean;
  open(): Promise<OpenTarget>;
}
