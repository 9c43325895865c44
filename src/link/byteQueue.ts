const EMPTY: Buffer = Buffer.alloc(0);

/** Smallest buffer worth allocating when bytes must be joined; avoids re-growing a byte at a time. */
const MIN_JOIN_BYTES = 256;

/**
 * The bytes a deframer has received but not yet consumed, kept contiguous.
 *
 * While the unconsumed bytes lie within one pushed chunk they are not copied: `take` returns a
 * subarray of the chunk. Bytes are copied only to join a frame that straddles chunks, into a
 * buffer sized for the frame when the caller knows its size (`sizeHint`). Bytes already handed
 * out are never overwritten: joining appends after the unconsumed bytes or moves to a new buffer.
 */
export class ByteQueue {
  private buf = EMPTY;
  private start = 0;
  private end = 0;
  /** Whether `buf` was allocated here (so free space after `end` may be written). */
  private owned = false;
  private consumed = 0;

  /** Unconsumed byte count. */
  get length(): number {
    return this.end - this.start;
  }

  /** Stream offset of the first unconsumed byte. */
  get offset(): number {
    return this.consumed;
  }

  /** Appends a chunk. `sizeHint`: how many bytes the caller expects to need contiguously. */
  push(chunk: Buffer, sizeHint = 0): void {
    if (chunk.length === 0) return;
    const pending = this.length;
    if (pending === 0) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    const needed = pending + chunk.length;
    const joined = Buffer.allocUnsafe(Math.max(needed, sizeHint, 2 * pending, MIN_JOIN_BYTES));
    this.buf.copy(joined, 0, this.start, this.end);
    chunk.copy(joined, pending);
    this.buf = joined;
    this.start = 0;
    this.end = needed;
    this.owned = true;
  }

  /** The byte at `index` (relative to the first unconsumed byte). */
  byteAt(index: number): number {
    return this.buf[this.start + index];
  }

  /** What `read` makes of the unconsumed bytes from their start, without copying or consuming them. */
  readFront(read: (buf: Buffer, offset: number) => number): number {
    return read(this.buf, this.start);
  }

  /** The first `n` unconsumed bytes, without consuming them. */
  peek(n: number): Buffer {
    return this.buf.subarray(this.start, this.start + n);
  }

  /** Consumes and returns the first `n` bytes. */
  take(n: number): Buffer {
    const bytes = this.peek(n);
    this.start += n;
    this.consumed += n;
    return bytes;
  }

  /** Index of the first `byte` in [from, to) of the unconsumed bytes, or -1. */
  indexOf(byte: number, from: number, to = this.length): number {
    const at = this.buf.indexOf(byte, this.start + from);
    return at === -1 || at >= this.start + to ? -1 : at - this.start;
  }
}
