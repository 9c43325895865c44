import type { DeframeEvent, Deframer, Framing } from "../../link/framing.js";
import type { HostBugName } from "./bugs.js";

/**
 * The framing the host reads with: the dialect's own, or, under a seeded bug that misreads how
 * bytes arrive, one that loses frames the way such hosts do. The stream stays in step (every
 * byte is still deframed), so the frame lost is the only harm:
 * - `drops-split-request`: a frame that began in an earlier chunk than the one that completes it;
 * - `drops-pipelined`: every frame of a chunk after the first one it completes;
 * - `keeps-last-pipelined`: every frame of a chunk but the last one it completes.
 */
export function hostFraming(framing: Framing, bug: HostBugName | undefined): Framing {
  if (bug !== "drops-split-request" && bug !== "drops-pipelined" && bug !== "keeps-last-pipelined") return framing;
  return { ...framing, deframer: () => new ChunkBoundDeframer(framing.deframer(), bug) };
}

type ChunkBug = "drops-split-request" | "drops-pipelined" | "keeps-last-pipelined";

class ChunkBoundDeframer implements Deframer {
  /** Stream offset of the chunk pushed last, and of the byte after it. */
  private chunkStart = 0;
  private pushed = 0;
  /** Frames the last chunk has completed so far. */
  private completed = 0;
  /** The event after a frame, read to see whether another frame follows it. */
  private held: DeframeEvent | undefined;

  constructor(
    private readonly inner: Deframer,
    private readonly bug: ChunkBug,
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
    for (let e = this.take(); e; e = this.take()) {
      if (e.kind !== "frame") return e;
      if (this.bug === "keeps-last-pipelined") {
        // A frame with another whole one after it in the same chunk is overwritten by it.
        this.held = this.inner.next();
        if (this.held?.kind === "frame") continue;
        return e;
      }
      const first = this.completed++ === 0;
      if (this.bug === "drops-split-request" ? e.offset >= this.chunkStart : first) return e;
    }
    return undefined;
  }

  /** The event looked ahead at last, else the inner deframer's next. */
  private take(): DeframeEvent | undefined {
    const e = this.held ?? this.inner.next();
    this.held = undefined;
    return e;
  }
}
