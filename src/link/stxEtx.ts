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
import { LinkError, reasons } from "./linkError.js";

/** Start of text: opens a frame. */
export const STX = 0x02;
/** End of text: closes the data; the LRC byte follows it. */
export const ETX = 0x03;
/** Positive acknowledgement, sent alone between frames. */
export const ACK = 0x06;
/** Negative acknowledgement (bad LRC or malformed frame): the sender resends. */
export const NAK = 0x15;
/** STX and ETX around the data, plus the LRC byte. */
const OVERHEAD_BYTES = 3;

/** XOR of every byte in `bytes`: the check byte of an STX/ETX frame, computed over DATA + ETX. */
export function lrc(bytes: Uint8Array): number {
  let check = 0;
  for (const byte of bytes) check ^= byte;
  return check;
}

/**
 * Serial control-link framing: `STX DATA ETX LRC`, with LRC = XOR of DATA and ETX (STX
 * excluded), and single ACK/NAK bytes between frames (Transbank POS integrado, Nexi ECR17,
 * isoconf-ecr/1). DATA must not contain STX or ETX; JSON text never does.
 *
 * Resync policy: unlike a length header, STX marks every frame start, so the deframer
 * recovers. Bytes before an STX are reported as `garbage`, a frame cut short by a new STX or
 * overrunning `maxFrame` as `unterminated`, a frame whose check byte differs as `bad_lrc`;
 * none of these is fatal. Only a stream that ends mid-frame is.
 */
export function stxEtx(options: FramingOptions = {}): Framing {
  const maxFrame = checkMaxFrame("stx-etx", options.maxFrame, Number.MAX_SAFE_INTEGER);
  return {
    name: "stx-etx",
    maxFrame,
    encode(body) {
      checkBodySize("stx-etx", body, maxFrame);
      const raw = Buffer.allocUnsafe(body.length + OVERHEAD_BYTES);
      raw[0] = STX;
      let check = ETX;
      for (let i = 0; i < body.length; i++) {
        const byte = body[i];
        if (byte === STX || byte === ETX) throw new LinkError("invalid_frame", reasons.controlByteInData(byte, i));
        raw[i + 1] = byte;
        check ^= byte;
      }
      raw[body.length + 1] = ETX;
      raw[body.length + 2] = check;
      return raw;
    },
    deframer: () => new StxEtxDeframer(maxFrame),
  };
}

class StxEtxDeframer implements Deframer {
  private readonly queue = new ByteQueue();
  /** Whether the queue starts with an STX whose frame is not complete yet. */
  private inFrame = false;
  /** How far the current frame has been searched for ETX, so a slow line is not rescanned. */
  private scanned = 1;
  private ended = false;

  constructor(private readonly maxFrame: number) {}

  push(chunk: Buffer): void {
    if (!this.ended) this.queue.push(chunk);
  }

  end(): void {
    this.ended = true;
  }

  next(): DeframeEvent | undefined {
    const { queue } = this;
    if (queue.length === 0) return undefined;
    if (!this.inFrame) {
      const offset = queue.offset;
      switch (queue.byteAt(0)) {
        case ACK:
          queue.take(1);
          return { kind: "ack", offset };
        case NAK:
          queue.take(1);
          return { kind: "nak", offset };
        case STX:
          this.inFrame = true;
          this.scanned = 1;
          break;
        default:
          return this.error("garbage", reasons.garbage(), this.garbageLength());
      }
    }
    return this.frame();
  }

  /** Continues the frame at the head of the queue (which starts with STX). */
  private frame(): DeframeEvent | undefined {
    const { queue } = this;
    // ETX may sit at most maxFrame data bytes after the STX.
    const limit = Math.min(queue.length, this.maxFrame + 2);
    const etx = queue.indexOf(ETX, this.scanned, limit);
    const restart = queue.indexOf(STX, this.scanned, etx === -1 ? limit : etx);
    if (restart !== -1) return this.error("unterminated", reasons.stxBeforeEtx(), restart);
    if (etx === -1) {
      if (limit === this.maxFrame + 2) return this.error("unterminated", reasons.noEtx(this.maxFrame), limit);
      this.scanned = limit;
      return this.incomplete();
    }
    if (etx + 1 === queue.length) {
      this.scanned = etx;
      return this.incomplete();
    }
    const offset = queue.offset;
    const raw = queue.take(etx + 2);
    this.inFrame = false;
    const expected = lrc(raw.subarray(1, etx + 1));
    const got = raw[etx + 1];
    if (expected !== got) {
      return { kind: "error", code: "bad_lrc", reason: reasons.badLrc(expected, got), bytes: raw, offset, fatal: false };
    }
    return { kind: "frame", body: raw.subarray(1, etx), raw, offset };
  }

  /** Bytes up to the next STX, ACK or NAK. */
  private garbageLength(): number {
    const { queue } = this;
    let end = 1;
    while (end < queue.length) {
      const byte = queue.byteAt(end);
      if (byte === STX || byte === ACK || byte === NAK) break;
      end++;
    }
    return end;
  }

  private incomplete(): DeframeError | undefined {
    if (!this.ended) return undefined;
    return this.error("closed_mid_frame", reasons.closedMidFrame(), this.queue.length, true);
  }

  /** Reports and drops the first `byteCount` bytes; `next` then looks for the next STX. */
  private error(code: DeframeErrorCode, reason: string, byteCount: number, fatal = false): DeframeError {
    const offset = this.queue.offset;
    const bytes = this.queue.take(byteCount);
    this.inFrame = false;
    return { kind: "error", code, reason, bytes, offset, fatal };
  }
}
