import type { DeframeEvent, Deframer, Framing } from "../../link/framing.js";
import type { HostBugName } from "./bugs.js";

/**
 * The framing the host reads with: the dialect's own, or, under a seeded bug that misreads how
 * bytes arrive, one that loses frames the way such hosts do. The stream stays in step (every
 * byte is still deframed), so the frame lost is the only harm:
 * - `drops-split-request`: a frame that began in an earlier chunk than the one that completes it;
 * - `drops-pipelined`: every frame of a chunk after the first one it completes.
 */
export function hostFraming(framing: Framing, bug: HostBugName | undefined): Framing {
  if (bug !== "drops-split-request" && bug !== "drops-pipelined") return framing;
  return { ...framing, deframer: () => new ChunkBoundDeframer(framing.deframer(), bug) };
}

class ChunkBoundDeframer implements Deframer {
  /** Stream offset of the chunk pushed last, and of the byte after it. */
  private chunkStart = 0;
  private pushed = 0;
  /** Frames the last chunk has completed so far. */
  private completed = 0;

  constructor(
    private readonly inner: Deframer,
    private readonly bug: "drops-split-request" | "drops-pipelined",
  ) {}

  push(chunk: Buffer): void {
    this.chunkStart = this.pushed;
    this.pushed += chunk.length;
    this.completed = 0;
    this.inner.push(chunk);
  }

  end(): void {
    this.inner.end();
  }

  next(): DeframeEvent | undefined {
    for (let e = this.inner.next(); e; e = this.inner.next()) {
      if (e.kind !== "frame") return e;
      const first = this.completed++ === 0;
      if (this.bug === "drops-split-request" ? e.offset >= this.chunkStart : first) return e;
    }
    return undefined;
  }
}
