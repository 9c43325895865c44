import {
  checkBodySize,
  checkMaxFrame,
  type DeframeEvent,
  type Deframer,
  type Framing,
  type FramingOptions,
} from "./framing.js";
import { reasons } from "./linkError.js";

/**
 * No header: each chunk read is one frame, and `encode` returns the body as is.
 *
 * Limitation: TCP and serial lines carry bytes, not messages. This works only when the peer
 * writes one message at a time and waits for the answer, and each message arrives in a
 * single read. A large message split over two reads becomes two frames, and two messages read
 * together become one. Prefer a length framing whenever the peer has one.
 */
export function none(options: FramingOptions = {}): Framing {
  const maxFrame = checkMaxFrame("none", options.maxFrame, Number.MAX_SAFE_INTEGER);
  return {
    name: "none",
    maxFrame,
    encode(body) {
      checkBodySize("none", body, maxFrame);
      return body;
    },
    deframer: () => new ReadDeframer(maxFrame),
  };
}

/** One event per chunk; an oversized read is reported but does not break the stream. */
class ReadDeframer implements Deframer {
  private readonly chunks: Buffer[] = [];
  private offset = 0;
  private ended = false;

  constructor(private readonly maxFrame: number) {}

  push(chunk: Buffer): void {
    if (chunk.length > 0 && !this.ended) this.chunks.push(chunk);
  }

  end(): void {
    this.ended = true;
  }

  next(): DeframeEvent | undefined {
    const raw = this.chunks.shift();
    if (raw === undefined) return undefined;
    const offset = this.offset;
    this.offset += raw.length;
    if (raw.length > this.maxFrame) {
      const reason = reasons.readAboveMaxFrame(raw.length, this.maxFrame);
      return { kind: "error", code: "above_max_frame", reason, bytes: raw, offset, fatal: false };
    }
    return { kind: "frame", body: raw, raw, offset };
  }
}
