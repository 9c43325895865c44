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

/** How a seeded bug mishandles the connection (see bugs.ts). */
export interface ConnectionFlaws {
  /**
   * `reads-one-chunk`: the first read after a request is the whole answer; a frame it does not
   * complete is a communication error, and the terminal dials anew, leaving that connection unread.
   */
  readsOneChunk?: boolean;
  /** `hangs-on-close`: a connection the host closes without sending a byte leaves the wait hanging until the terminal shuts down. */
  hangsOnClose?: boolean;
}

/** What arrived on the link since the request was written. */
interface Arrivals {
  bytes: number;
  /** Whether the first chunk completed a frame; undefined before the first chunk. */
  firstChunkWhole: boolean | undefined;
  /** Resolves when the `readsOneChunk` flaw counts the first read as failed. */
  failedRead: Promise<"failed read">;
  stop(): void;
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
  /** Resolves when the terminal shuts down: the only end of a wait the `hangsOnClose` bug leaves. */
  private readonly shutdown: Promise<void>;
  private shutDown!: () => void;
  /** Connections the `readsOneChunk` flaw gave up on without closing them: released at shutdown. */
  private readonly abandoned: Link[] = [];

  constructor(
    private readonly connect: () => Promise<Link>,
    private readonly clock: Clock,
    private readonly flaws: ConnectionFlaws = {},
  ) {
    this.shutdown = new Promise((resolve) => (this.shutDown = resolve));
  }

  /** Sends one request frame and waits for its answer. Never throws for a link failure. */
  async exchange(frame: Buffer, options: ExchangeOptions): Promise<Exchanged> {
    let link: Link;
    try {
      link = await this.open();
    } catch (e) {
      return { kind: "unsent", reason: (e as Error).message };
    }
    const stale = this.framesIn - this.framesRead;
    // Watched from before the write: the answer may come while `sent` saves the journal.
    const arrivals = this.watch(link);
    try {
      try {
        await link.send(frame);
      } catch (e) {
        // A send that timed out may still reach the host later: count it as sent.
        if (!(e instanceof LinkError) || e.code !== "send_timeout") return { kind: "unsent", reason: (e as Error).message };
      }
      await options.sent?.();
      return await this.answer(link, options, stale, arrivals);
    } finally {
      arrivals.stop();
    }
  }

  /** Closes the link; a wait in progress ends as unanswered, and no new connection is made. */
  async close(): Promise<void> {
    this.shutDown();
    this.closed = true;
    const link = this.link;
    this.link = undefined;
    await Promise.all([link, ...this.abandoned.splice(0)].map((l) => l?.close()));
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

  /** Counts what arrives on `link` from now on; the `received` listener has counted a chunk's frames before its `data`. */
  private watch(link: Link): Arrivals {
    const framesBefore = this.framesIn;
    let failed!: (why: "failed read") => void;
    const arrivals: Arrivals = {
      bytes: 0,
      firstChunkWhole: undefined,
      failedRead: new Promise((resolve) => (failed = resolve)),
      stop: () => link.off("data", onData),
    };
    const onData = (chunk: Buffer) => {
      const first = arrivals.firstChunkWhole === undefined;
      if (first) arrivals.firstChunkWhole = this.framesIn > framesBefore;
      arrivals.bytes += chunk.length;
      // The seeded bug reads once: a frame that first read does not complete is a failed read.
      if (first && this.flaws.readsOneChunk && !arrivals.firstChunkWhole) failed("failed read");
    };
    link.on("data", onData);
    return arrivals;
  }

  private async answer(link: Link, { timeoutMs, skip }: ExchangeOptions, stale: number, arrivals: Arrivals): Promise<Exchanged> {
    let timedOut = false;
    // The wait runs on the terminal's clock; closing the link is what ends it.
    const cancel = this.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      void link.close();
    });
    try {
      for (;;) {
        const got = await Promise.race([link.receive({ deadlineMs: Infinity }), arrivals.failedRead]);
        if (got === "failed read") {
          // Dials anew next time, and never reads this connection again (nor closes it: the bug leaks it).
          if (this.link === link) this.link = undefined;
          this.abandoned.push(link);
          return { kind: "none", reason: `the first read held ${arrivals.bytes} bytes, not a whole answer` };
        }
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
          if (timedOut) return { kind: "none", reason: `no answer within ${timeoutMs} ms` };
          if (this.flaws.hangsOnClose && arrivals.bytes === 0 && !this.closed) {
            cancel();
            await this.shutdown;
            return { kind: "none", reason: "the terminal shut down while waiting" };
          }
          return { kind: "none", reason: `the host closed the connection (${got.reason})` };
        }
      }
    } finally {
      cancel();
    }
  }
}
