import type { Duplex } from "node:stream";
import { type Clock, realClock } from "./clock.js";
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
  /** Times every deadline of the link (receive, next, send, close). Default `realClock`. */
  clock?: Clock;
}

/** What a link receives: frames, keep-alives, ACK/NAK bytes and framing errors, in stream order. */
export type LinkEvent = DeframeEvent;

export interface LinkEvents {
  /** Every inbound event as it is deframed; for observers (a trace recorder), it consumes nothing. */
  received: [event: LinkEvent];
  /** A framing error (also in `received`). Never thrown; a fatal one closes the link. */
  error: [event: DeframeError];
  /** Each chunk as the transport delivered it, after its frames went to `received`: how the peer's bytes were segmented. */
  data: [chunk: Buffer];
  /** Bytes handed to the transport: a framed body (and the body) or `sendRaw` bytes (body undefined). */
  sent: [raw: Buffer, body: Buffer | undefined];
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
  /** Connection id, unique in this process: `c1`, `c2`, … (for logs and errors; a trace names its connections itself). */
  readonly id = `c${++connectionCount}`;
  readonly peer: string;
  readonly framing: Framing;
  /** The clock every deadline of this link runs on; a ControlChannel over the link uses it too. */
  readonly clock: Clock;
  private readonly stream: Duplex;
  private readonly deframer: Deframer;
  private readonly inbound: EventQueue<LinkEvent>;
  /** Sends handed to the stream, oldest first: the stream calls back in write order. */
  private readonly writing: PendingWrite[] = [];
  /** Sends waiting for the stream to drain below its high-water mark, oldest first. */
  private readonly waitingForRoom: PendingWrite[] = [];
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
    this.clock = options.clock ?? realClock;
    this.inbound = new EventQueue(this.clock);
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
        for (const write of this.writing.splice(0)) this.closedBeforeWritten(write, this.reason ?? "closed");
        for (const write of this.waitingForRoom.splice(0)) this.closedBeforeWritten(write, this.reason ?? "closed");
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
  send(body: Buffer, options?: { deadlineMs?: number }): Promise<void> {
    let raw: Buffer;
    try {
      raw = this.framing.encode(body);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write(raw, body, options?.deadlineMs ?? this.sendDeadlineMs);
  }

  /** Writes bytes as they are, without framing: ACK/NAK bytes, or a malformed frame as a fault. */
  sendRaw(bytes: Buffer, options?: { deadlineMs?: number }): Promise<void> {
    return this.write(bytes, undefined, options?.deadlineMs ?? this.sendDeadlineMs);
  }

  /**
   * Inbound events deframed before anyone took them: what a peer sent on a connection the kit
   * accepted before it looked (a host's sign-on as it dials in), for an observer attached late.
   */
  unread(): readonly LinkEvent[] {
    return this.inbound.queued();
  }

  /** The next inbound event, `timeout` after `deadlineMs`, or `closed` once closed and drained. */
  next(options: { deadlineMs: number }): Promise<LinkEvent | Timeout | Closed> {
    return this.nextEvent(options.deadlineMs);
  }

  /** The next frame, skipping other events (observe those through `received`/`error`). */
  async receive(options: { deadlineMs: number }): Promise<FrameEvent | Timeout | Closed> {
    checkDeadline("deadlineMs", options.deadlineMs);
    const until = this.clock.now() + options.deadlineMs;
    for (;;) {
      const result = await this.nextEvent(Math.max(0, until - this.clock.now()));
      if (result.kind === "frame" || result.kind === "timeout" || result.kind === "closed") return result;
    }
  }

  /** Inbound events until the link closes, or until none arrives for `idleMs` (default: no limit). */
  async *events(options: { idleMs?: number } = {}): AsyncGenerator<LinkEvent, void, undefined> {
    for (;;) {
      const result = await this.nextEvent(options.idleMs ?? Infinity);
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
      const cancel = deadline(this.closeGraceMs + CLOSE_MARGIN_MS, resolve, this.clock);
      void this.streamClosed.then(() => {
        cancel();
        resolve();
      });
    });
  }

  /** Takes the next inbound event, resuming the stream once a paused backlog is half consumed. */
  private nextEvent(deadlineMs: number): Promise<LinkEvent | Timeout | Closed> {
    // EventQueue.next takes a queued item synchronously, so the backlog is already smaller here.
    const result = this.inbound.next(deadlineMs);
    if (this.paused && this.inbound.length < INBOUND_HIGH_WATER / 2) {
      this.paused = false;
      this.stream.resume();
    }
    return result;
  }

  /**
   * The send path, kept free of per-send closures and timers: one write callback serves every
   * send (the stream calls back in write order), and a deadline timer is armed only for bytes
   * the stream could not pass on at once, which is when a peer may not be reading.
   */
  private write(raw: Buffer, body: Buffer | undefined, deadlineMs: number): Promise<void> {
    if (this.reason !== undefined) return Promise.reject(new LinkError("closed", reasons.closed(this.id, this.reason)));
    try {
      checkDeadline("deadlineMs", deadlineMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const write = new PendingWrite(raw, body, resolve, reject);
      // Above the high-water mark, wait for room (behind earlier waiters) rather than queue without bound.
      if (this.waitingForRoom.length > 0 || this.stream.writableNeedDrain) {
        if (this.waitingForRoom.push(write) === 1) this.stream.once("drain", this.onDrain);
        this.arm(write, deadlineMs);
        return;
      }
      this.start(write);
      if (this.stream.writableLength > 0) this.arm(write, deadlineMs);
    });
  }

  private start(write: PendingWrite): void {
    this.emit("sent", write.raw, write.body);
    this.writing.push(write);
    this.stream.write(write.raw, this.onWritten);
  }

  private readonly onWritten = (error?: Error | null): void => {
    const write = this.writing.shift();
    if (write === undefined) return; // failed already, when the stream closed
    if (error) this.closedBeforeWritten(write, this.reason ?? error.message);
    else if (write.settle()) write.resolve();
  };

  private readonly onDrain = (): void => {
    while (this.waitingForRoom.length > 0 && !this.stream.writableNeedDrain) this.start(this.waitingForRoom.shift()!);
    if (this.waitingForRoom.length > 0) this.stream.once("drain", this.onDrain);
  };

  private arm(write: PendingWrite, deadlineMs: number): void {
    write.cancelDeadline = deadline(deadlineMs, () => this.sendTimedOut(write, deadlineMs), this.clock);
  }

  /** The peer did not read in time. A send still waiting for room is dropped: it writes nothing. */
  private sendTimedOut(write: PendingWrite, deadlineMs: number): void {
    const waiting = this.waitingForRoom.indexOf(write);
    if (waiting !== -1) this.waitingForRoom.splice(waiting, 1);
    if (!write.settle()) return;
    write.reject(new LinkError("send_timeout", reasons.sendTimeout(this.id, deadlineMs, this.stream.writableLength)));
  }

  private closedBeforeWritten(write: PendingWrite, reason: string): void {
    if (write.settle()) write.reject(new LinkError("closed", reasons.closedBeforeWritten(this.id, reason)));
  }

  private onData(chunk: Buffer): void {
    if (this.reason !== undefined) return;
    this.deframer.push(chunk);
    this.deliver();
    this.emit("data", chunk);
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

/** One send, from the call until the stream has taken its bytes (or it failed). */
class PendingWrite {
  cancelDeadline: (() => void) | undefined;
  private settled = false;

  constructor(
    readonly raw: Buffer,
    readonly body: Buffer | undefined,
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
  ) {}

  /** Marks the send settled and stops its deadline; false if it was settled already. */
  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.cancelDeadline?.();
    return true;
  }
}
