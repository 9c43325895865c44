import type { FieldTable } from "./dialectTable.js";
import { bcdCharOf, bcdNibbleOf } from "./encodings/bcd.js";
import { DATA_ENCODINGS, type DataCodec } from "./encodings/index.js";
import { Iso8583Error, reasons } from "./errors.js";
import { lengthPrefix, type LengthPrefix } from "./lengths.js";

/** A cursor over a frame being decoded: `pos` advances as fields are read. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
}

/**
 * One field of a dialect, compiled from its table entry: a length prefix (none when fixed)
 * and a data codec. Packing is measure, prefix, write; unpacking is prefix, bounds, read.
 */
export class FieldCodec {
  readonly key: string;
  /** Bytes of the length prefix (0 for a fixed field). */
  readonly prefixBytes: number;
  private readonly prefix: LengthPrefix | null;
  private readonly data: DataCodec;
  private readonly unit: string;
  // Copied out of `spec` (and `data`) so the hot path reads plain fields of one object.
  private readonly max: number;
  private readonly fixed: boolean;
  /** An LLL prefix of three BCD nibbles sharing its second byte with the data (`length_prefix_nibbles`). */
  private readonly nibblePrefix: boolean;

  constructor(readonly spec: FieldTable) {
    this.key = String(spec.number);
    this.prefix =
      spec.length_type === "fixed" ? null : lengthPrefix(spec.length_prefix_encoding!, spec.length_prefix_bytes!);
    this.data = DATA_ENCODINGS[spec.data_encoding](spec, this.key);
    this.unit = spec.length_unit === "digits" ? "digits" : "bytes";
    this.nibblePrefix = spec.length_prefix_nibbles === 3;
    // A shared byte holds the last prefix nibble and the first digit: the data starts in it.
    this.prefixBytes = this.nibblePrefix ? 1 : (this.prefix?.bytes ?? 0);
    this.max = spec.max_length;
    this.fixed = this.prefix === null;
  }

  /** The value's length in the field's unit; throws when it cannot be packed. */
  measure(value: unknown): number {
    if (typeof value !== "string") throw new Iso8583Error("bad_value", this.key, undefined, reasons.valueNotString());
    const units = this.data.measure(value);
    const max = this.max;
    if (this.fixed ? units !== max : units > max) {
      const expected = this.fixed ? `exactly ${max}` : `at most ${max}`;
      throw new Iso8583Error("bad_value", this.key, undefined, reasons.valueLength(units, expected, this.unit));
    }
    return units;
  }

  /** Bytes a value of `units` takes on the wire, prefix included. */
  wireBytes(units: number): number {
    if (this.nibblePrefix) return (3 + units + 1) >> 1;
    return this.prefixBytes + this.data.byteLength(units);
  }

  /** Writes a value that `measure` accepted as `units` long; returns the position after it. */
  write(buf: Buffer, pos: number, value: string, units: number): number {
    if (this.nibblePrefix) {
      const track = this.spec.content === "z";
      const nibbles = [...String(units).padStart(3, "0"), ...value].map((c) => bcdNibbleOf(c.charCodeAt(0), track));
      return writeNibbles(buf, pos, nibbles, this.padNibble());
    }
    if (this.prefix !== null) {
      this.prefix.write(buf, pos, units);
      pos += this.prefix.bytes;
    }
    return this.data.write(buf, pos, value);
  }

  /** Reads the field at `r.pos` and advances it; throws an `Iso8583Error` naming the offset. */
  read(r: Reader): string {
    if (this.nibblePrefix) return this.readNibblePacked(r);
    const start = r.pos;
    let units = this.max;
    let dataStart = start;
    if (this.prefix !== null) {
      const width = this.prefix.bytes;
      if (start + width > r.end) {
        throw new Iso8583Error("truncated", this.key, start, reasons.truncated("length prefix", r.end - start, width));
      }
      units = this.prefix.read(r.buf, start);
      if (units < 0) {
        const encoding = this.spec.length_prefix_encoding!;
        throw new Iso8583Error("bad_length_prefix", this.key, start, reasons.lengthNotDigits(encoding));
      }
      if (units > this.max) {
        throw new Iso8583Error("length_above_max", this.key, start, reasons.lengthAboveMax(units, this.max, this.unit));
      }
      dataStart = start + width;
    }
    const bytes = this.data.byteLength(units);
    if (dataStart + bytes > r.end) {
      throw new Iso8583Error("truncated", this.key, dataStart, reasons.truncated("field data", r.end - dataStart, bytes));
    }
    const value = this.data.read(r.buf, dataStart, units);
    r.pos = dataStart + bytes;
    return value;
  }

  private padNibble(): number {
    return parseInt(this.spec.pad?.char ?? "0", 16);
  }

  /** An LLL field whose three prefix nibbles share a byte with the data: one nibble stream. */
  private readNibblePacked(r: Reader): string {
    const start = r.pos;
    const nibble = (i: number) => (i & 1 ? r.buf[start + (i >> 1)] & 0x0f : r.buf[start + (i >> 1)] >> 4);
    if (start + 2 > r.end) throw new Iso8583Error("truncated", this.key, start, reasons.truncated("length prefix", r.end - start, 2));
    const [h, t, o] = [nibble(0), nibble(1), nibble(2)];
    if (h > 9 || t > 9 || o > 9) throw new Iso8583Error("bad_length_prefix", this.key, start, reasons.lengthNotDigits("bcd"));
    const units = h * 100 + t * 10 + o;
    if (units > this.max) throw new Iso8583Error("length_above_max", this.key, start, reasons.lengthAboveMax(units, this.max, this.unit));
    const bytes = (3 + units + 1) >> 1;
    if (start + bytes > r.end) throw new Iso8583Error("truncated", this.key, start + 1, reasons.truncated("field data", r.end - start - 1, bytes - 1));
    const track = this.spec.content === "z";
    let out = "";
    for (let i = 3; i < 3 + units; i++) {
      const c = bcdCharOf(nibble(i), track);
      if (c === undefined) throw new Iso8583Error("bad_content", this.key, start + 1, reasons.bcdNibble(i - 3));
      out += c;
    }
    if ((3 + units) & 1 && nibble(3 + units) !== this.padNibble()) throw new Iso8583Error("bad_pad", this.key, start + (bytes - 1), reasons.padNibble(this.spec.pad?.char ?? "0"));
    r.pos = start + bytes;
    return out;
  }
}

/** Writes nibbles two a byte, the last byte filled with `pad` when their count is odd; returns the position after. */
function writeNibbles(buf: Buffer, pos: number, nibbles: number[], pad: number): number {
  for (let i = 0; i < nibbles.length; i += 2) buf[pos++] = (nibbles[i] << 4) | (i + 1 < nibbles.length ? nibbles[i + 1] : pad);
  return pos;
}
