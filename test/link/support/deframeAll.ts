import type { DeframeEvent, Framing } from "../../../src/link/framing.js";

/** Pushes `chunks` through a fresh deframer and collects every event; `end` closes the stream after. */
export function deframeAll(framing: Framing, chunks: Buffer[], options: { end?: boolean } = {}): DeframeEvent[] {
  const deframer = framing.deframer();
  const events: DeframeEvent[] = [];
  const drain = () => {
    for (let event = deframer.next(); event; event = deframer.next()) events.push(event);
  };
  for (const chunk of chunks) {
    deframer.push(chunk);
    drain();
  }
  if (options.end) {
    deframer.end();
    drain();
  }
  return events;
}

/** Bytes from spaced hex, as error texts and wire logs print them: `hex("00 05 68")`. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** `bytes` cut at the given offsets (sorted, deduplicated, within range). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => Math.min(cut, bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  return chunks;
}
