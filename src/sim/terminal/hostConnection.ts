import type { Clock } from "../../link/clock.js";
import type { Link } from "../../link/link.js";
import { LinkError } from "../../link/linkError.js";

/** How one request went on the wire. */
export type Exchanged =
  /** Nothing reached the host: no connection, or it closed before the bytes were written. */
  | { kind: "unsent"; reason: string }
  /** The request went out and this frame came back. */
  | { kind: "answer"; body: Buffer }
  /** The request went out and nothing came back in time (or the connection closed first). */
  | { kind: "none"; reason: string };

export interface ExchangeOptions {
  timeoutMs: number;
  /** Runs once the request is written, before any answer is read: the reversal journal's moment. */
  sent?: () => Promise<void>;
  /** Frames to pass over while waiting, such as requests the host starts itself. */
  skip?: (body: Buffer) => boolean;
}

/**
 * The terminal's connection to its host: opened on first use, kept open between transactions,
 * and opened again when it has closed. After a timeout it is closed on purpose, so a late
 * answer can never be taken for the next request's; and a frame that arrived while no request
 * was waiting (a host's second answer to the previous one) is passed over, since it came before
 * the request it would otherwise be taken for.
 */
export class HostConnection {
  private link: Link | undefined;
  private closed = false;
  /** Frames the current link has delivered, and those read from it: the difference is queued. */
  private framesIn = 0;
  private framesRead = 0;

  constructor(
    private readonly connect: () => Promise<Link>,
    private readonly clock: Clock,
  ) {}

  /** Sends one request frame and waits for its answer. Never throws for a link failure. */
  async exchange(frame: Buffer, options: ExchangeOptions): Promise<Exchanged> {
    let link: Link;
    try {
      link = await this.open();
    } catch (e) {
      return { kind: "unsent", reason: (e as Error).message };
    }
    const stale = this.framesIn - this.framesRead;
    try {
      await link.send(frame);
    } catch (e) {
      // A send that timed out may still reach the host later: count it as sent.
      if (!(e instanceof LinkError) || e.code !== "send_timeout") return { kind: "unsent", reason: (e as Error).message };
    }
    await options.sent?.();
    return this.answer(link, options, stale);
  }

  /** Closes the link; a wait in progress ends as unanswered, and no new connection is made. */
  async close(): Promise<void> {
    this.closed = true;
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  private async open(): Promise<Link> {
    if (this.closed) throw new Error("the terminal is shutting down");
    if (this.link === undefined || this.link.closeReason !== undefined) {
      const link = await this.connect();
      this.framesIn = this.framesRead = 0;
      link.on("received", (event) => {
        if (event.kind === "frame" && this.link === link) this.framesIn++;
      });
      this.link = link;
    }
    return this.link;
  }

  private async answer(link: Link, { timeoutMs, skip }: ExchangeOptions, stale: number): Promise<Exchanged> {
    let timedOut = false;
    // The wait runs on the terminal's clock; closing the link is what ends it.
    const cancel = this.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      void link.close();
    });
    try {
      for (;;) {
        const got = await link.receive({ deadlineMs: Infinity });
        if (got.kind === "frame") {
          this.framesRead++;
          if (stale > 0) {
            stale--;
            continue;
          }
          if (skip?.(got.body)) continue;
          return { kind: "answer", body: got.body };
        }
        if (got.kind === "closed") {
          return { kind: "none", reason: timedOut ? `no answer within ${timeoutMs} ms` : `the host closed the connection (${got.reason})` };
        }
      }
    } finally {
      cancel();
    }
  }
}
