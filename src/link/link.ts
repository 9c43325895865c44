import type { Duplex } from "node:stream";
import { checkDeadline, deadline } from "./deadline.js";
import { Emitter } from "./emitter.js";
import { type Closed, EventQueue, type Timeout } from "./eventQueue.js";
import type { DeframeError, DeframeEvent, Deframer, FrameEvent, Framing } from "./framing.js";
import { LinkError, reasons } from "./linkError.js";

/** A connected byte stream as a transport hands it to a Link. */
export interface Transport {
  readonly stream: Duplex;
  /** The other end, for messages and traces: `tcp://127.0.0.1:50123`, `serial:/dev/ttyS0`. */
  readonly peer: string;
  /** Flushes queued writes, then releases the connection; forcibly after `graceMs`. Idempotent. */
  close(graceMs: number): void;
}

export interface LinkOptions {
  framing: Framing;
  /** How long a send may wait for the transport to take its bytes. Default 10000 ms. */
  sendDeadlineMs?: number;
  /** How long closing lets queued writes flush before dropping them. Default 1000 ms. */
  closeGraceMs?: number;
}

/** What a link receives: frames, keep-alives, ACK/NAK bytes and framing errors, in stream order. */
export type LinkEvent = DeframeEvent;

export interface LinkEvents {
  /** Every inbound event as it is deframed; for observers (a trace recorder), it consumes nothing. */
  received: [event: LinkEvent];
  /** A framing error (also in `received`). Never thrown; a fatal one closes the link. */
  error: [event: DeframeError];
  /** Bytes handed to the transport: a framed body or `sendRaw` bytes. */
  sent: [raw: Buffer];
  /** Emitted once: "peer closed", "reset", "local close", "framing error: …" or the transport's error text. */
  disconnect: [reason: string];
}

const DEFAULT_SEND_DEADLINE_MS = 10_000;
const DEFAULT_CLOSE_GRACE_MS = 1_000;
/** Inbound events left unconsumed before the link stops reading, so a flooding peer meets TCP flow control. */
const INBOUND_HIGH_WATER = 1024;
/** How long close() waits past the grace period for the transport to report itself closed. */
const CLOSE_MARGIN_MS = 500;

let connectionCount = 0;

/** Throws on bad options; transports call it before connecting, so a bad option leaks no connection. */
export function checkLinkOptions(options: LinkOptions): void {
  checkDeadline("sendDeadlineMs", options.sendDeadlineMs ?? DEFAULT_SEND_DEADLINE_MS);
  checkDeadline("closeGraceMs", options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
}

/**
 * A framed, full-duplex message pipe over one connection. Which side connected, and which
 * side plays the host, does not matter here.
 *
 * Consume inbound events with `receive` (frames only), `next` (every event) or async
 * iteration; they share one queue, so use one of them per link. Every wait takes a deadline.
 */
export class Link extends Emitter<LinkEvents> {
  /** Connection id, unique in this process: `c1`, `c2`, … */
  readonly id = `c${++connectionCount}`;
  readonly peer: string;
  readonly framing: Framing;
  private readonly stream: Duplex;
  private readonly deframer: Deframer;
  private readonly inbound = new EventQueue<LinkEvent>();
  /** Rejecters of sends whose bytes the stream has not taken yet. */
  private readonly pendingWrites = new Set<(reason: string) => void>();
  private readonly streamClosed: Promise<void>;
  private readonly sendDeadlineMs: number;
  private readonly closeGraceMs: number;
  private reason: string | undefined;
  private paused = false;

  constructor(
    private readonly transport: Transport,
    options: LinkOptions,
  ) {
    super();
    checkLinkOptions(options);
    this.stream = transport.stream;
    this.peer = transport.peer;
    this.framing = options.framing;
    this.deframer = options.framing.deframer();
    this.sendDeadlineMs = options.sendDeadlineMs ?? DEFAULT_SEND_DEADLINE_MS;
    this.closeGraceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.stream.on("data", (chunk: Buffer) => this.onData(chunk));
    this.stream.on("end", () => this.finish("peer closed"));
    this.stream.on("error", (error: Error) => this.finish(describeError(error)));
    this.streamClosed = new Promise((resolve) => {
      // net.Socket passes `hadError` (its error came first); SerialPort passes its disconnect error.
      this.stream.once("close", (cause: unknown) => {
        this.finish(cause instanceof Error ? cause.message : "peer closed");
        for (const reject of this.pendingWrites) reject(this.reason ?? "closed");
        resolve();
      });
    });
  }

  /** Why the link closed, or undefined while it is open. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  /**
   * Frames `body` and writes it. Resolves once the transport has taken the bytes; rejects if
   * the link is closed, or with `send_timeout` if the peer does not read for `deadlineMs`
   * (default `sendDeadlineMs`). Bytes of a timed-out send may still go out later.
   */
  async send(body: Buffer, options: { deadlineMs?: number } = {}): Promise<void> {
    await this.write(this.framing.encode(body), options.deadlineMs ?? this.sendDeadlineMs);
  }

  /** Writes bytes as they are, without framing: ACK/NAK bytes, or a malformed frame as a fault. */
  async sendRaw(bytes: Buffer, options: { deadlineMs?: number } = {}): Promise<void> {
    await this.write(bytes, options.deadlineMs ?? this.sendDeadlineMs);
  }

  /** The next inbound event, `timeout` after `deadlineMs`, or `closed` once closed and drained. */
  async next(options: { deadlineMs: number }): Promise<LinkEvent | Timeout | Closed> {
    const result = await this.inbound.next(options.deadlineMs);
    if (this.paused && this.inbound.length < INBOUND_HIGH_WATER / 2) {
      this.paused = false;
      this.stream.resume();
    }
    return result;
  }

  /** The next frame, skipping other events (observe those through `received`/`error`). */
  async receive(options: { deadlineMs: number }): Promise<FrameEvent | Timeout | Closed> {
    checkDeadline("deadlineMs", options.deadlineMs);
    const until = performance.now() + options.deadlineMs;
    for (;;) {
      const result = await this.next({ deadlineMs: Math.max(0, until - performance.now()) });
      if (result.kind === "frame" || result.kind === "timeout" || result.kind === "closed") return result;
    }
  }

  /** Inbound events until the link closes, or until none arrives for `idleMs` (default: no limit). */
  async *events(options: { idleMs?: number } = {}): AsyncGenerator<LinkEvent, void, undefined> {
    for (;;) {
      const result = await this.next({ deadlineMs: options.idleMs ?? Infinity });
      if (result.kind === "timeout" || result.kind === "closed") return;
      yield result;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<LinkEvent, void, undefined> {
    return this.events();
  }

  /** Closes the link ("local close"), letting queued writes flush for `closeGraceMs`. */
  async close(): Promise<void> {
    this.finish("local close");
    await new Promise<void>((resolve) => {
      const cancel = deadline(this.closeGraceMs + CLOSE_MARGIN_MS, resolve);
      void this.streamClosed.then(() => {
        cancel();
        resolve();
      });
    });
  }

  private write(raw: Buffer, deadlineMs: number): Promise<void> {
    if (this.reason !== undefined) return Promise.reject(new LinkError("closed", reasons.closed(this.id, this.reason)));
    const { stream } = this;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: LinkError) => {
        if (settled) return;
        settled = true;
        cancel();
        stream.off("drain", start);
        this.pendingWrites.delete(closedBeforeWritten);
        if (error) reject(error);
        else resolve();
      };
      const closedBeforeWritten = (reason: string) =>
        settle(new LinkError("closed", reasons.closedBeforeWritten(this.id, reason)));
      const start = () => {
        this.emit("sent", raw);
        stream.write(raw, (error) => (error ? closedBeforeWritten(this.reason ?? error.message) : settle()));
      };
      const cancel = deadline(deadlineMs, () =>
        settle(new LinkError("send_timeout", reasons.sendTimeout(this.id, deadlineMs, stream.writableLength))),
      );
      this.pendingWrites.add(closedBeforeWritten);
      // Above the high-water mark, wait for room rather than queue without bound.
      if (stream.writableNeedDrain) stream.once("drain", start);
      else start();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.reason !== undefined) return;
    this.deframer.push(chunk);
    this.deliver();
    if (!this.paused && this.reason === undefined && this.inbound.length >= INBOUND_HIGH_WATER) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private deliver(): void {
    for (let event = this.deframer.next(); event; event = this.deframer.next()) {
      this.inbound.push(event);
      this.emit("received", event);
      if (event.kind === "error") {
        this.emit("error", event);
        if (event.fatal) this.finish(`framing error: ${event.reason}`);
      }
    }
  }

  /** Marks the link closed (first reason wins), reports a partial frame, and releases the transport. */
  private finish(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.deframer.end();
    this.deliver();
    this.inbound.close(reason);
    this.transport.close(this.closeGraceMs);
    this.emit("disconnect", reason);
  }
}

function describeError(error: Error & { code?: string }): string {
  return error.code === "ECONNRESET" ? "reset" : error.message;
}
