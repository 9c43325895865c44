import type { Dialect } from "../iso8583/dialect.js";
import { Iso8583Error } from "../iso8583/errors.js";
import type { Message } from "../iso8583/message.js";
import { tryUnpack, unpack } from "../iso8583/unpack.js";
import { type Clock, realClock } from "../link/clock.js";
import type { DeframeEvent } from "../link/framing.js";
import type { Link, LinkEvent } from "../link/link.js";
import type { ControlDetail, DecodeFailure, Direction, EventOf, FaultDetail, FrameEvent, TraceEvent, TraceEventKind } from "./traceEvent.js";

export interface TraceRecorderOptions {
  /** Decodes every frame recorded. */
  dialect: Dialect;
  /** The run's clock: virtual for in-process SUTs, real otherwise. */
  clock: Clock;
  /** The clock reading at t = 0. Default: the clock's reading when the recorder is made. */
  startedAt?: number;
}

/** Which way a link's traffic goes: the kit's own end of a connection by default. */
export interface AttachDirections {
  sent: Direction;
  received: Direction;
}

/** The kit's end of a connection: what it sends goes to the SUT. */
export const KIT_END: AttachDirections = { sent: "kit→sut", received: "sut→kit" };

/** How a `sendRaw` that stops inside a frame is recorded (the rest may follow, or never). */
const PARTIAL_FRAME = { code: "partial_frame", reason: "the bytes sent end mid-frame", fatal: false } as const;
/** What the peer had sent of a frame when the kit closed the connection: evidence, not a framing error. */
export const ABANDONED_FRAME = { code: "abandoned_frame", reason: "the kit closed the connection with a frame not yet complete", fatal: false } as const;

/**
 * Records a Trace: every frame both ways on the links it is attached to, decoded and timed on the
 * run's clock, plus the kit's own events. While `currentStep` is set, every event is stamped with
 * it. A frame is recorded in its place and its body becomes its hex text at once; its decoding
 * waits until the kit waits (the next turn of the event loop, on the real clock) or until
 * `events` is read, so that it is never on the path from an answer to the next request.
 *
 * Connections are named per trace, `c1`, `c2`, … in the order the recorder first meets them
 * (attached, connected, or asked for by `connOf`): the same scenario gives the same names in any
 * run or replay. They are unique within the trace, not the process (`Link.id` is that).
 */
export class TraceRecorder {
  readonly dialect: Dialect;
  /** The scenario step the kit is executing; `step()` sets it. */
  currentStep: number | undefined;
  private readonly clock: Clock;
  private start: number;
  /** This trace's name of each link met so far. */
  private readonly conns = new Map<Link, string>();
  /** The frame a `sendRaw` left unfinished, by link: the next `sendRaw` may finish it (a message sent in segments). */
  private readonly unfinished = new Map<Link, Buffer>();
  private readonly recorded: TraceEvent[] = [];
  /** Frame events recorded but not yet decoded, oldest first. */
  private undecoded: FrameEvent[] = [];
  private decodeScheduled = false;
  /** Frames received on attached links, by the body the link handed out (a body it never overwrites): see `decodedFrame`. */
  private readonly received = new WeakMap<Buffer, FrameEvent>();

  constructor(options: TraceRecorderOptions) {
    this.dialect = options.dialect;
    this.clock = options.clock;
    this.start = options.startedAt ?? options.clock.now();
  }

  /**
   * The events so far, every frame among them decoded: a copy, so that an array held while more
   * frames arrive never shows one whose decoding is still to come.
   */
  get events(): TraceEvent[] {
    this.decodeRecorded();
    return this.recorded.slice();
  }

  /**
   * Records the traffic of `link` from now on: frames sent (`send` bodies as they are; `sendRaw`
   * bytes as the peer's deframer will see them), inbound frames, keep-alives and framing errors,
   * and the disconnect. ACK/NAK bytes are not recorded (`control` records what a control link
   * did). Returns a function that stops recording this link.
   */
  attach(link: Link, directions: AttachDirections = KIT_END): () => void {
    this.connOf(link);
    // Named at each event: after clear() a link still attached takes a name in the new trace.
    const onSent = (raw: Buffer, body: Buffer | undefined) => {
      if (body === undefined) return this.raw(directions.sent, this.connOf(link), link, raw);
      this.unfinished.delete(link);
      this.frame(directions.sent, this.connOf(link), body);
    };
    const onReceived = (event: LinkEvent) => {
      // A frame cut short because this end hung up (after a timeout) is not the peer's framing error.
      const abandoned = event.kind === "error" && event.code === "closed_mid_frame" && link.closeReason === "local close";
      if (abandoned) this.add(directions.received, "link-error", this.connOf(link), { bytes: event.bytes.toString("hex").toUpperCase(), detail: { ...ABANDONED_FRAME } });
      else {
        const recorded = this.deframed(directions.received, this.connOf(link), event, false);
        if (recorded !== undefined && event.kind === "frame") this.received.set(event.body, recorded);
      }
    };
    const onDisconnect = (reason: string) => this.add("kit", "disconnect", this.connOf(link), { detail: { reason } });
    // What arrived before the recorder was attached (a host that speaks first as it dials in) is recorded now.
    for (const event of link.unread()) onReceived(event);
    link.on("sent", onSent).on("received", onReceived).on("disconnect", onDisconnect);
    return () => {
      link.off("sent", onSent).off("received", onReceived).off("disconnect", onDisconnect);
    };
  }

  /** The kit opened `link` to (or accepted it from) its peer. */
  connect(link: Link): TraceEvent {
    return this.add("kit", "connect", this.connOf(link), { detail: { peer: link.peer } });
  }

  /** The connection's name in this trace (`c1`, `c2`, …), for event details that refer to it. */
  connOf(link: Link): string {
    let conn = this.conns.get(link);
    if (conn === undefined) this.conns.set(link, (conn = `c${this.conns.size + 1}`));
    return conn;
  }

  /** The kit applied a fault: its name and parameters in `detail`. */
  fault(detail: FaultDetail, text?: string): TraceEvent {
    return this.add("kit", "fault", undefined, withText({ detail }, text));
  }

  /** A wait of the kit ran out: how long it waited and for what, in `detail`. */
  timeout(detail: Record<string, unknown>, text?: string): TraceEvent {
    return this.add("kit", "timeout", undefined, withText({ detail }, text));
  }

  /** A control-link command to the terminal under test, or its result. */
  control(detail: ControlDetail, text?: string): TraceEvent {
    return this.add("kit", "control", undefined, withText({ detail }, text));
  }

  /** The kit starts scenario step `index`: this and every later event carry it. */
  step(index: number, text: string): TraceEvent {
    this.currentStep = index;
    return this.add("kit", "step", undefined, { text });
  }

  note(text: string, detail?: Record<string, unknown>): TraceEvent {
    return this.add("kit", "note", undefined, detail === undefined ? { text } : { detail, text });
  }

  /** Starts a new trace: no events, no current step, connections named from `c1` again, and t = 0 now. */
  clear(): void {
    this.recorded.length = 0;
    this.undecoded = [];
    this.conns.clear();
    this.unfinished.clear();
    this.currentStep = undefined;
    this.start = this.clock.now();
  }

  /**
   * The message `body` decodes to under `dialect` (undefined where it does not decode). Where it
   * is the body of a frame received on an attached link, its trace event is decoded now if it
   * was not yet, and the reader (the kit judging an answer) and the trace share that decoding.
   */
  decodedFrame(dialect: Dialect, body: Buffer): Message | undefined {
    const event = this.received.get(body);
    if (event === undefined || dialect !== this.dialect) return tryUnpack(dialect, body);
    // From the body itself: a link never overwrites the bytes it handed out, so they are the hex's.
    if (event.message === undefined && event.decodeError === undefined) decodeInto(this.dialect, event, body);
    return event.message;
  }

  private frame(dir: Direction, conn: string, body: Buffer): FrameEvent {
    // The hex text now, from the bytes as they are; the message later, decoded from that text.
    const event = this.add(dir, "frame", conn, { bytes: body.toString("hex").toUpperCase() });
    this.undecoded.push(event);
    // On the real clock the event loop turns while the kit waits for an answer, and the decoding
    // runs then. On a virtual clock an in-process run may never let it turn (its waits are not
    // real), and a scheduled decoding would keep every scenario's recorder alive until the run
    // ends: its frames are decoded when the events are read.
    if (!this.decodeScheduled && this.clock === realClock) this.scheduleDecoding();
    return event;
  }

  private scheduleDecoding(): void {
    this.decodeScheduled = true;
    setImmediate(() => {
      this.decodeScheduled = false;
      try {
        this.decodeRecorded();
      } catch {
        // A codec fault, not a decode failure: left queued, it is thrown where `events` is read.
      }
    });
  }

  /** Decodes the frames recorded since the last time, in order: `message`, or `decodeError` where the bytes do not decode. */
  private decodeRecorded(): void {
    let done = 0;
    try {
      for (const event of this.undecoded) {
        // A frame a reader asked for (`decodedFrame`) is decoded already.
        if (event.message === undefined && event.decodeError === undefined) decodeInto(this.dialect, event);
        done++;
      }
    } finally {
      this.undecoded.splice(0, done);
    }
  }

  /**
   * `sendRaw` bytes carry no frame boundaries of their own: deframe them as the peer will. Bytes
   * that end mid-frame are recorded as a partial frame now (the rest may never come) and kept, so
   * the piece that finishes the frame records it whole, at the time the peer can read it.
   */
  private raw(dir: Direction, conn: string, link: Link, raw: Buffer): void {
    const held = this.unfinished.get(link);
    this.unfinished.delete(link);
    const deframer = link.framing.deframer();
    deframer.push(held === undefined ? raw : Buffer.concat([held, raw]));
    for (let event = deframer.next(); event; event = deframer.next()) this.deframed(dir, conn, event, false);
    deframer.end();
    for (let event = deframer.next(); event; event = deframer.next()) {
      if (event.kind === "error" && event.code === "closed_mid_frame") this.unfinished.set(link, event.bytes);
      this.deframed(dir, conn, event, true);
    }
  }

  /** `atEnd`: the event was forced out by ending a deframer of sent bytes. Returns the frame event a frame became. */
  private deframed(dir: Direction, conn: string, event: DeframeEvent, atEnd: boolean): FrameEvent | undefined {
    switch (event.kind) {
      case "frame":
        return this.frame(dir, conn, event.body);
      case "keepalive":
        this.add(dir, "keepalive", conn, {});
        break;
      case "error":
        this.add(dir, "link-error", conn, {
          bytes: event.bytes.toString("hex").toUpperCase(),
          detail: atEnd && event.code === "closed_mid_frame" ? { ...PARTIAL_FRAME } : { code: event.code, reason: event.reason, fatal: event.fatal },
        });
        break;
      // ACK/NAK: see attach().
    }
    return undefined;
  }

  /** Appends an event, keys in the order a trace file shows them: seq, t, dir, kind, step, conn, then its own. */
  private add<K extends TraceEventKind>(dir: Direction, kind: K, conn: string | undefined, own: OwnFields<K>): EventOf<K> {
    const event: Record<string, unknown> = { seq: this.recorded.length, t: this.clock.now() - this.start, dir, kind };
    if (this.currentStep !== undefined) event.step = this.currentStep;
    if (conn !== undefined) event.conn = conn;
    Object.assign(event, own);
    // The fields above are every key `EventOf<K>` has beyond `own`: this is the one place events are made.
    this.recorded.push(event as EventOf<K>);
    return event as EventOf<K>;
  }
}

/** Decodes a frame event's bytes (`bytes`, its own by default) into its `message`, or its `decodeError` where they do not decode. */
function decodeInto(dialect: Dialect, event: FrameEvent, bytes: Buffer = Buffer.from(event.bytes, "hex")): void {
  try {
    event.message = unpack(dialect, bytes);
  } catch (error) {
    if (!(error instanceof Iso8583Error)) throw error;
    event.decodeError = error.toJSON() satisfies DecodeFailure;
  }
}

/** What an event of kind K has beside what every event has. */
type OwnFields<K extends TraceEventKind> = Omit<EventOf<K>, "seq" | "t" | "dir" | "kind" | "step" | "conn">;

/** `own` with the event's sentence, when there is one. */
const withText = <T extends object>(own: T, text: string | undefined): T & { text?: string } => (text === undefined ? own : { ...own, text });
