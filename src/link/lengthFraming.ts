import { ByteQueue } from "./byteQueue.js";
import {
  checkBodySize,
  checkMaxFrame,
  type DeframeError,
  type DeframeErrorCode,
  type DeframeEvent,
  type Deframer,
  type Framing,
  type FramingOptions,
} from "./framing.js";
import { reasons } from "./linkError.js";

/** How one length-header convention reads and writes its header; the deframer does the rest. */
export interface LengthHeader {
  /** Config name, e.g. `bcd2`. */
  readonly name: string;
  /** Header size in bytes. */
  readonly bytes: number;
  /** Largest value the header can hold. */
  readonly maxValue: number;
  /** What a valid header looks like, for error texts: "4 ASCII decimal digits". */
  readonly expects: string;
  /** The length at `offset`, or NaN when the bytes are not a valid header. */
  read(buf: Buffer, offset: number): number;
  write(value: number, buf: Buffer, offset: number): void;
}

export interface LengthFramingOptions extends FramingOptions {
  /**
   * The header counts its own bytes too (jPOS `include-header-length`). Default false: the
   * header counts the body only, as CUP terminals and most hosts do.
   */
  lengthIncludesHeader?: boolean;
  /**
   * What the header counts: bytes (default), or hex characters, two a byte, as devices that
   * size a message by its hex text do. A count that is not even is then a bad header.
   */
  lengthCounts?: "bytes" | "hex_chars";
}

/**
 * A framing where each body is preceded by its length. A zero-length body is reported as a
 * `keepalive` event (jPOS ASCIIChannel sends `0000` to keep a line open).
 *
 * Resync policy: a header that is malformed or above `maxFrame` leaves no trustworthy frame
 * boundary in a byte stream, so the deframer reports a fatal error and stops; the link closes.
 */
export function lengthFraming(header: LengthHeader, options: LengthFramingOptions = {}): Framing {
  const includesHeader = options.lengthIncludesHeader ?? false;
  const perByte = options.lengthCounts === "hex_chars" ? 2 : 1;
  const lengthBias = includesHeader ? header.bytes * perByte : 0;
  const maxFrame = checkMaxFrame(header.name, options.maxFrame, Math.floor((header.maxValue - lengthBias) / perByte));
  return {
    name: header.name,
    maxFrame,
    encode(body) {
      checkBodySize(header.name, body, maxFrame);
      const raw = Buffer.allocUnsafe(header.bytes + body.length);
      header.write(body.length * perByte + lengthBias, raw, 0);
      body.copy(raw, header.bytes);
      return raw;
    },
    deframer: () => new LengthDeframer(header, maxFrame, lengthBias, perByte),
  };
}

class LengthDeframer implements Deframer {
  private readonly queue = new ByteQueue();
  /** Bytes the frame being assembled needs in all, once its header is known: sizes the join buffer. */
  private expected = 0;
  private ended = false;
  private broken = false;
  /** `header.read`, bound once: the queue applies it in place, with no copy of the header bytes. */
  private readonly readHeader: LengthHeader["read"];

  constructor(
    private readonly header: LengthHeader,
    private readonly maxFrame: number,
    private readonly lengthBias: number,
    /** Header units a body byte counts for: 1, or 2 for hex characters. */
    private readonly perByte: number,
  ) {
    this.readHeader = header.read.bind(header);
  }

  push(chunk: Buffer): void {
    if (!this.broken && !this.ended) this.queue.push(chunk, this.expected);
  }

  end(): void {
    this.ended = true;
  }

  next(): DeframeEvent | undefined {
    const { queue, header } = this;
    if (this.broken) return undefined;
    if (queue.length < header.bytes) return this.incomplete();
    const value = queue.readFront(this.readHeader);
    if (Number.isNaN(value)) {
      return this.fail("bad_header", reasons.badHeader(header.name, queue.peek(header.bytes), header.expects));
    }
    const counted = value - this.lengthBias;
    if (counted % this.perByte !== 0) return this.fail("bad_header", reasons.oddHexCount(queue.peek(header.bytes), value));
    const bodyLength = counted / this.perByte;
    if (bodyLength < 0) return this.fail("short_length", reasons.shortLength(queue.peek(header.bytes), value, header.bytes));
    if (bodyLength > this.maxFrame) {
      return this.fail("above_max_frame", reasons.aboveMaxFrame(queue.peek(header.bytes), bodyLength, this.maxFrame));
    }
    this.expected = header.bytes + bodyLength;
    if (queue.length < this.expected) return this.incomplete();
    const offset = queue.offset;
    const raw = queue.take(this.expected);
    this.expected = 0;
    if (bodyLength === 0) return { kind: "keepalive", raw, offset };
    return { kind: "frame", body: raw.subarray(header.bytes), raw, offset };
  }

  /** Waits for more bytes, unless the stream has ended with a partial frame. */
  private incomplete(): DeframeError | undefined {
    if (!this.ended || this.queue.length === 0) return undefined;
    return this.fail("closed_mid_frame", reasons.closedMidFrame(), this.queue.length);
  }

  /** Reports what was seen and stops: the byte stream has no usable frame boundary left. */
  private fail(code: DeframeErrorCode, reason: string, byteCount = this.header.bytes): DeframeError {
    this.broken = true;
    const offset = this.queue.offset;
    return { kind: "error", code, reason, bytes: this.queue.take(byteCount), offset, fatal: true };
  }
}
