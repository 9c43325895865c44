import { BITMAP_BYTES, bitmapWireBytes, writeBitmap } from "./bitmap.js";
import type { Dialect } from "./dialect.js";
import { Iso8583Error, reasons } from "./errors.js";
import type { Message } from "./message.js";
import { checkMti, writeMti } from "./mti.js";

const HEADER_HEX = /^(?:[0-9A-Fa-f]{2})*$/;

// pack() is synchronous and never re-entered, so one set of scratch arrays serves every call.
const bits = new Uint8Array(2 * BITMAP_BYTES);
const units = new Int32Array(129);

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
  for (const key in fields) {
    const codec = dialect.fieldsByKey[key];
    if (codec === undefined) throw new Iso8583Error("bad_value", key, undefined, reasons.unknownField());
    const n = codec.spec.number;
    const u = codec.measure(fields[key]);
    units[n] = u;
    size += codec.wireBytes(u);
    bits[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  }
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
  for (const key in fields) {
    const codec = dialect.fieldsByKey[key]!;
    pos = codec.write(buf, pos, fields[key], units[codec.spec.number]);
  }
  return buf;
}
