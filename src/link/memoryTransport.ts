import { Duplex } from "node:stream";
import type { Transport } from "./link.js";

/** What a write to an end whose peer is gone fails with; the Link reports it as the close reason. */
const PEER_CLOSED = "peer closed";

/**
 * One end of an in-memory pipe, behaving like a socket: a write completes at once unless the
 * peer's readable side is full (its `push` said so, and it has not asked for more) or a
 * high-water mark's worth of bytes is still on the way; then it is held back. Bytes reach the
 * peer on the next tick, in order, without a copy. Delivering on a tick rather than inside
 * `write` keeps a ping-pong of two Links from running as one endless chain of promise
 * callbacks, which would starve the write callbacks Node's streams queue with `nextTick`.
 */
class MemoryEnd extends Duplex {
  peer!: MemoryEnd;
  /** Bytes written here and not yet pushed to the peer. */
  inFlight = 0;
  /** The peer's last `push` said its buffer is full, and it has not read since. */
  peerFull = false;
  /** End-of-stream was pushed to the peer: nothing may follow it. */
  peerEnded = false;
  /** The callback of a write the peer had no room for. */
  private blocked: ((error?: Error | null) => void) | undefined;
  /** Closing: writes complete regardless of room, so ending never stalls. */
  private flushing = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peerEnded || this.peer.destroyed) return callback(new Error(PEER_CLOSED));
    this.inFlight += chunk.length;
    process.nextTick(deliver, this, chunk);
    if (this.mayWrite()) callback();
    else this.blocked = callback;
  }

  /** Reading from this end wants more: the peer's held-back write may complete. */
  override _read(): void {
    this.peer.peerFull = false;
    this.peer.release();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // After the bytes still in flight: the same tick queue carries both.
    process.nextTick(endPeer, this, callback);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    // Like a socket that closes: the peer reads end-of-stream, and its held-back write fails.
    endPeer(this);
    this.peer.release(true);
    callback(error);
  }

  /** Completes a held-back write when the peer has room again, or fails it when the peer is gone. */
  release(peerGone = false): void {
    const callback = this.blocked;
    if (callback === undefined || (!peerGone && !this.mayWrite())) return;
    this.blocked = undefined;
    // The Error is built only for a write that fails: most closes hold none back, and its stack costs.
    callback(peerGone ? new Error(PEER_CLOSED) : undefined);
  }

  /** Writes queued behind the peer's flow control are handed over now, then the stream ends. */
  flushAndEnd(): void {
    this.flushing = true;
    this.release();
    this.end(() => this.destroy());
  }

  private mayWrite(): boolean {
    return this.flushing || (!this.peerFull && this.inFlight < this.peer.readableHighWaterMark);
  }
}

function deliver(from: MemoryEnd, chunk: Buffer): void {
  from.inFlight -= chunk.length;
  if (from.peerEnded || from.peer.destroyed) return;
  if (!from.peer.push(chunk)) from.peerFull = true;
  from.release();
}

function endPeer(from: MemoryEnd, callback?: () => void): void {
  if (!from.peerEnded && !from.peer.destroyed) from.peer.push(null);
  from.peerEnded = true;
  callback?.();
}

/**
 * Two connected in-process transports: bytes written to one are read from the other, as over a
 * socket but without the kernel, so two Links (and a virtual clock) can talk in one process.
 * Each end's `peer` is `memory:` plus the other end's name (default `kit` and `sut`). Closing one
 * end ends the other: its Link closes with "peer closed".
 *
 * Chunks are handed over by reference: never modify a buffer after writing it (Link never does).
 */
export function memoryTransportPair(names: readonly [string, string] = ["kit", "sut"]): [Transport, Transport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [memoryTransport(a, names[1]), memoryTransport(b, names[0])];
}

function memoryTransport(end: MemoryEnd, peerName: string): Transport {
  return {
    stream: end,
    peer: `memory:${peerName}`,
    // Nothing in memory can stall a flush for long, so no grace timer is needed.
    close() {
      if (!end.destroyed) end.flushAndEnd();
    },
  };
}
