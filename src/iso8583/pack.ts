import { BITMAP_BYTES, bitmapWireBytes, writeBitmap } from "./bitmap.js";
import type { Dialect } from "./dialect.js";
import type { FieldCodec } from "./field.js";
import { Iso8583Error, reasons } from "./errors.js";
import type { Message } from "./message.js";
import { checkMti, writeMti } from "./mti.js";

const HEADER_HEX = /^(?:[0-9A-Fa-f]{2})*$/;

// pack() is synchronous and never re-entered, so one set of scratch arrays serves every call.
const bits = new Uint8Array(2 * BITMAP_BYTES);
const codecs: FieldCodec[] = [];
const values: string[] = [];
const units = new Int32Array(129);

/** Names the key that the field walk skipped: one the dialect does not define, or an undefined value. */
function rejectUnmatchedKey(dialect: Dialect, fields: Record<string, unknown>): never {
  for (const key in fields) {
    if (dialect.fieldsByKey[key] === undefined) throw new Iso8583Error("bad_value", key, undefined, reasons.unknownField());
    if (fields[key] === undefined) throw new Iso8583Error("bad_value", key, undefined, reasons.valueNotString());
  }
  throw new Iso8583Error("bad_message", "message", undefined, reasons.messageShape());
}

/**
 * Encodes a message: header, MTI, bitmap(s), then each field in ascending order. Every value is
 * checked (content, length, maximum) before a byte is written; an `Iso8583Error` names the field.
 * A secondary bitmap is sent only when a field above 64 is present.
 */
export function pack(dialect: Dialect, message: Message): Buffer {
  const fields = message?.fields;
  if (typeof fields !== "object" || fields === null) {
    throw new Iso8583Error("bad_message", "message", undefined, reasons.messageShape());
  }
  const table = dialect.table;
  checkMti(table, message.mti);

  let header = "";
  if (dialect.headerBytes > 0) {
    header = message.header ?? table.header?.default ?? "";
    if (typeof header !== "string" || header.length !== dialect.headerBytes * 2 || !HEADER_HEX.test(header)) {
      throw new Iso8583Error("bad_value", "h", undefined, reasons.headerNotHex(dialect.headerBytes));
    }
  }

  bits.fill(0);
  let size = 0;
  let count = 0;
  // Looking the dialect's field numbers up is several times faster than for-in over integer-like
  // keys (V8 makes a string per key per walk). Keys the walk did not meet are found by counting;
  // knowing the count first lets the walk stop at the last field present instead of probing every
  // field the dialect defines (most of them absent), unless something could be inherited.
  const present = Object.values(fields).length;
  const proto = Object.getPrototypeOf(fields);
  const stopAt = proto === Object.prototype || proto === null ? present : -1;
  const numbers = dialect.fieldNumbers;
  const codecsByNumber = dialect.fields;
  for (let i = 0; i < numbers.length && count !== stopAt; i++) {
    const n = numbers[i];
    const value = fields[n];
    if (value === undefined) continue;
    const codec = codecsByNumber[n]!;
    const u = codec.measure(value);
    codecs[count] = codec;
    values[count] = value;
    units[count++] = u;
    size += codec.wireBytes(u);
    bits[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  }
  if (present !== count) rejectUnmatchedKey(dialect, fields);
  let secondary = false;
  for (let i = BITMAP_BYTES; i < bits.length; i++) if (bits[i] !== 0) secondary = true;
  if (secondary) bits[0] |= 0x80;

  const hexBitmap = table.bitmap.encoding === "ascii_hex";
  size += dialect.headerBytes + table.mti.bytes + bitmapWireBytes(hexBitmap) * (secondary ? 2 : 1);
  const buf = Buffer.allocUnsafe(size);
  let pos = dialect.headerBytes > 0 ? buf.write(header, 0, "hex") : 0;
  pos = writeMti(table, buf, pos, message.mti);
  pos = writeBitmap(buf, pos, hexBitmap, bits, 0);
  if (secondary) pos = writeBitmap(buf, pos, hexBitmap, bits, BITMAP_BYTES);
  for (let i = 0; i < count; i++) pos = codecs[i].write(buf, pos, values[i], units[i]);
  values.fill("", 0, count); // drop references to the caller's strings
  return buf;
}
