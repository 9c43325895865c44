import { BITMAP_BYTES, readBitmap } from "./bitmap.js";
import type { Dialect } from "./dialect.js";
import { Iso8583Error, reasons } from "./errors.js";
import type { Reader } from "./field.js";
import type { FieldSpan, Message } from "./message.js";
import { readMti } from "./mti.js";

// unpack() is synchronous and never re-entered, so one bitmap scratch serves every call.
const bits = new Uint8Array(2 * BITMAP_BYTES);
/** The field reserved in `fields` before its turn (see decodeInto), 0 once it is decoded. */
let reserved = 0;

/**
 * Decodes one frame strictly: truncation, bad prefixes, lengths over the maximum, bad content,
 * bits for undefined fields and trailing bytes are all `Iso8583Error`s naming the field and
 * offset, with what decoded so far in `partial`. Nothing else is thrown, for any input.
 * Pass `spans` to learn where each part lies (for hex dumps); the hot path passes nothing.
 */
/** `unpack`, or undefined where the frame does not decode under the dialect (an `Iso8583Error`). */
export function tryUnpack(dialect: Dialect, frame: Uint8Array): Message | undefined {
  try {
    return unpack(dialect, frame);
  } catch (e) {
    if (e instanceof Iso8583Error) return undefined;
    throw e;
  }
}

export function unpack(dialect: Dialect, frame: Uint8Array, spans?: FieldSpan[]): Message {
  const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const r: Reader = { buf, pos: 0, end: buf.length };
  const message: Message = { mti: "", fields: {} };
  try {
    decodeInto(dialect, r, message, spans);
  } catch (e) {
    if (reserved !== 0) {
      // The reserved field never decoded: `partial` holds only what did.
      delete message.fields[reserved];
      reserved = 0;
    }
    if (e instanceof Iso8583Error) {
      e.partial = message;
      if (spans) e.spans = spans;
    }
    throw e;
  }
  return message;
}

function decodeInto(dialect: Dialect, r: Reader, message: Message, spans: FieldSpan[] | undefined): void {
  const table = dialect.table;

  if (dialect.headerBytes > 0) {
    const width = dialect.headerBytes;
    if (width > r.end) throw new Iso8583Error("truncated", "h", 0, reasons.truncated("header", r.end, width));
    message.header = r.buf.toString("hex", 0, width).toUpperCase();
    r.pos = width;
    if (spans) spans.push({ field: "h", start: 0, dataStart: 0, end: r.pos });
  }

  let start = r.pos;
  message.mti = readMti(table, r);
  if (spans) spans.push({ field: "t", start, dataStart: start, end: r.pos });

  const hex = table.bitmap.encoding === "ascii_hex";
  start = r.pos;
  readBitmap(r, hex, bits, 0, "p");
  if (spans) spans.push({ field: "p", start, dataStart: start, end: r.pos });
  const hasSecondary = (bits[0] & 0x80) !== 0;
  if (hasSecondary) {
    if (!table.bitmap.secondary_bitmap) throw new Iso8583Error("undefined_field", "1", r.pos, reasons.undefinedField());
    start = r.pos;
    readBitmap(r, hex, bits, BITMAP_BYTES, "1");
    let any = 0;
    for (let i = BITMAP_BYTES; i < bits.length; i++) any |= bits[i];
    if (any === 0) throw new Iso8583Error("bad_bitmap", "1", start, reasons.bitmapSecondaryEmpty());
    if (spans) spans.push({ field: "1", start, dataStart: start, end: r.pos });
  }

  const fields = message.fields;
  const codecs = dialect.fields;
  let last = "p";
  const bitmapBytes = hasSecondary ? 2 * BITMAP_BYTES : BITMAP_BYTES;

  // Storing the fields in ascending order grows the object's element store two or three times
  // (a third of the decode in profiles); storing the highest field first sizes it once. Key
  // order is unaffected (integer keys always enumerate ascending). Undone if decoding fails.
  for (let b = bitmapBytes - 1; b >= 0; b--) {
    const v = b === 0 ? bits[0] & 0x7f : bits[b];
    if (v === 0) continue;
    const top = b * 8 + Math.clz32(v & -v) - 24 + 1;
    if (codecs[top] !== undefined) {
      fields[top] = "";
      reserved = top;
    }
    break;
  }

  for (let b = 0; b < bitmapBytes; b++) {
    let v = b === 0 ? bits[0] & 0x7f : bits[b];
    while (v !== 0) {
      const bit = Math.clz32(v) - 24;
      v &= ~(0x80 >> bit);
      const n = b * 8 + bit + 1;
      const codec = codecs[n];
      if (codec === undefined) {
        throw new Iso8583Error("undefined_field", String(n), r.pos, reasons.undefinedField());
      }
      start = r.pos;
      // The number is the same key as codec.key, minus the string-to-index conversion per store.
      fields[n] = codec.read(r);
      if (n === reserved) reserved = 0;
      if (spans) spans.push({ field: codec.key, start, dataStart: start + codec.prefixBytes, end: r.pos });
      last = codec.key;
    }
  }
  if (r.pos < r.end) throw new Iso8583Error("trailing_bytes", last, r.pos, reasons.trailing(r.end - r.pos));
}
