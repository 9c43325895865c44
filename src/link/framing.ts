import { LinkError, reasons } from "./linkError.js";

/**
 * What every framing shares: `encode` adds the header/trailer to one message body, and a
 * stateful `Deframer` (one per connection) turns the received byte stream back into events.
 */

/** A complete frame. `raw` is the frame as received (header included); `body` lies within it. */
export interface FrameEvent {
  kind: "frame";
  body: Buffer;
  raw: Buffer;
  /** Stream offset of the frame's first byte. */
  offset: number;
}

/** A zero-length frame, e.g. jPOS ASCIIChannel's `0000`: liveness only, no message. */
export interface KeepaliveEvent {
  kind: "keepalive";
  raw: Buffer;
  offset: number;
}

/** A single ACK or NAK byte between frames (serial control links). */
export interface AckNakEvent {
  kind: "ack" | "nak";
  offset: number;
}

/** A stable code for each way a stream can be malformed; `reason` says it for people. */
export type DeframeErrorCode =
  | "bad_header"
  | "above_max_frame"
  | "short_length"
  | "closed_mid_frame"
  | "garbage"
  | "bad_lrc"
  | "unterminated";

export interface DeframeError {
  kind: "error";
  code: DeframeErrorCode;
  reason: string;
  /** What was seen: the bytes this error accounts for. */
  bytes: Buffer;
  /** Stream offset of `bytes[0]`. */
  offset: number;
  /**
   * True when the deframer stops here and decodes nothing after these bytes: a length header it
   * cannot trust, or the stream ended mid-frame. A Link closes on a fatal error.
   */
  fatal: boolean;
}

export type DeframeEvent = FrameEvent | KeepaliveEvent | AckNakEvent | DeframeError;

/**
 * Per-connection reassembly. Call `push` with each chunk read, then `next` until it returns
 * undefined (it needs more bytes). Call `end` when the stream closes: `next` then reports a
 * partial frame as a `closed_mid_frame` error. Events come out in stream order.
 *
 * Bodies may share memory with the pushed chunks (no copy when a frame lies within one
 * chunk): treat them as read-only, and do not reuse a chunk after pushing it.
 */
export interface Deframer {
  push(chunk: Buffer): void;
  next(): DeframeEvent | undefined;
  end(): void;
}

export interface Framing {
  /** The name used in config strings, e.g. `binary2`. */
  readonly name: string;
  /** Largest body `encode` accepts and the deframer lets through. */
  readonly maxFrame: number;
  /** The body with this framing's header/trailer around it. Throws LinkError `invalid_frame`. */
  encode(body: Buffer): Buffer;
  deframer(): Deframer;
}

export interface FramingOptions {
  /** Largest body in bytes, header excluded. Default 8192 (`DEFAULT_MAX_FRAME`). */
  maxFrame?: number;
}

/** Large enough for any ISO 8583 message seen in practice, small enough to spot a corrupt header. */
export const DEFAULT_MAX_FRAME = 8192;

/** Validates `maxFrame` against what the framing can carry (`limit`); returns it or the default. */
export function checkMaxFrame(framing: string, maxFrame: number | undefined, limit: number): number {
  const value = maxFrame ?? Math.min(DEFAULT_MAX_FRAME, limit);
  if (!Number.isInteger(value) || value < 1) throw new LinkError("invalid_config", reasons.badMaxFrame(maxFrame));
  if (value > limit) throw new LinkError("invalid_config", reasons.maxFrameAboveHeader(framing, value, limit));
  return value;
}

/** Refuses to encode a body the peer's deframer would reject. */
export function checkBodySize(framing: string, body: Buffer, maxFrame: number): void {
  if (body.length > maxFrame) {
    throw new LinkError("invalid_frame", reasons.bodyAboveMaxFrame(framing, body.length, maxFrame));
  }
}
