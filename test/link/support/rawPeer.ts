import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/**
 * A plain net.Socket on 127.0.0.1 that writes exactly the chunks a test chooses (Nagle off,
 * with a pause between writes so they arrive as separate reads) and records what it reads.
 */
export class RawPeer {
  readonly received: Buffer[] = [];
  /** Resolves when the socket has closed, with "end" if the other side closed first. */
  readonly closed: Promise<"end" | "close">;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    let ended = false;
    socket.on("data", (chunk: Buffer) => this.received.push(chunk));
    socket.on("end", () => (ended = true));
    socket.on("error", () => {}); // A hostile-peer test may reset this socket on purpose.
    this.closed = new Promise((resolve) => socket.once("close", () => resolve(ended ? "end" : "close")));
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.off("error", reject);
        resolve(new RawPeer(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes each chunk, waiting `gapMs` between them. */
  async write(chunks: Buffer[], gapMs = 1): Promise<void> {
    for (const [index, chunk] of chunks.entries()) {
      if (index > 0 && gapMs > 0) await delay(gapMs);
      await new Promise<void>((resolve, reject) => this.socket.write(chunk, (error) => (error ? reject(error) : resolve())));
    }
  }

  /** Everything read so far, once at least `count` bytes have arrived (or after `deadlineMs`). */
  async bytes(count: number, deadlineMs = 2000): Promise<Buffer> {
    const until = performance.now() + deadlineMs;
    while (this.length() < count && performance.now() < until) await delay(2);
    return Buffer.concat(this.received);
  }

  private length(): number {
    return this.received.reduce((sum, chunk) => sum + chunk.length, 0);
  }
}
