import { Iso8583Error, reasons } from "./errors.js";
import type { Reader } from "./field.js";

/** Bytes of one bitmap: 64 bits. As ASCII hex it takes twice as many characters. */
export const BITMAP_BYTES = 8;

const HEX_DIGITS = "0123456789ABCDEF";
/** Value of an upper-case hex character, -1 otherwise (lower case is rejected: strict decoding). */
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) => HEX_DIGITS.indexOf(String.fromCharCode(c)));

/** Wire bytes of one bitmap in this encoding. */
export const bitmapWireBytes = (hex: boolean) => (hex ? 2 * BITMAP_BYTES : BITMAP_BYTES);

/**
 * Reads one bitmap at `r.pos` into `out[at..at+8]` and advances the reader.
 * `field` is `p` (primary) or `1` (secondary), as errors name them.
 */
export function readBitmap(r: Reader, hex: boolean, out: Uint8Array, at: number, field: string): void {
  const width = bitmapWireBytes(hex);
  const start = r.pos;
  if (start + width > r.end) {
    const what = field === "p" ? "primary bitmap" : "secondary bitmap";
    throw new Iso8583Error("truncated", field, start, reasons.truncated(what, r.end - start, width));
  }
  const buf = r.buf;
  if (hex) {
    for (let i = 0; i < BITMAP_BYTES; i++) {
      const hi = HEX_VALUE[buf[start + 2 * i]];
      const lo = HEX_VALUE[buf[start + 2 * i + 1]];
      if (hi < 0 || lo < 0) throw new Iso8583Error("bad_bitmap", field, start, reasons.bitmapNotHex());
      out[at + i] = (hi << 4) | lo;
    }
  } else {
    for (let i = 0; i < BITMAP_BYTES; i++) out[at + i] = buf[start + i];
  }
  r.pos = start + width;
}

/** Writes `bits[at..at+8]` as one bitmap at `pos`; returns the position after it. */
export function writeBitmap(buf: Buffer, pos: number, hex: boolean, bits: Uint8Array, at: number): number {
  for (let i = 0; i < BITMAP_BYTES; i++) {
    const b = bits[at + i];
    if (hex) {
      buf[pos++] = HEX_DIGITS.charCodeAt(b >> 4);
      buf[pos++] = HEX_DIGITS.charCodeAt(b & 0x0f);
    } else {
      buf[pos++] = b;
    }
  }
  return pos;
}
