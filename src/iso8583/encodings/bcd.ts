import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";

/** Track data carries its field separator as the nibble D ("=" in ASCII). */
const SEPARATOR = 0xd;

/**
 * Both digits of every byte value, or "" when a nibble is not allowed: one lookup per byte on
 * decode instead of two nibble checks and two string appends.
 */
function pairTable(allowSeparator: boolean): string[] {
  const digit = (n: number) => (n <= 9 ? String(n) : allowSeparator && n === SEPARATOR ? "D" : "");
  return Array.from({ length: 256 }, (_, b) => {
    const hi = digit(b >> 4);
    const lo = digit(b & 0x0f);
    return hi && lo ? hi + lo : "";
  });
}
/** A value's character as a nibble: a digit, or `D` (the separator) in track data; -1 for anything else, so "=" cannot slip in as 13. */
export const bcdNibbleOf = (c: number, track: boolean): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c === 0x44 && track ? SEPARATOR : -1);

/** The character a nibble stands for: a digit, or `D` in track data; undefined for any other nibble. */
export const bcdCharOf = (n: number, track: boolean): string | undefined => (n <= 9 ? String.fromCharCode(0x30 + n) : track && n === SEPARATOR ? "D" : undefined);

const DIGIT_PAIRS = pairTable(false);
const TRACK_PAIRS = pairTable(true);

/**
 * Packed BCD, two digits a byte. An odd digit count gets one filler nibble, on the left
 * (right-aligned value) or on the right (left-aligned, as CUP's field 22 and variable fields).
 * With `length_unit: bytes` the value is an even number of digits, or, where the dialect gives a
 * non-digit filler (F), any number, the last byte filled.
 */
export function bcd(field: FieldTable, key: string): DataCodec {
  const track = field.content === "z";
  const pairs = track ? TRACK_PAIRS : DIGIT_PAIRS;
  const countsDigits = field.length_unit === "digits";
  const padLeft = field.pad?.side !== "right";
  const padNibble = parseInt(field.pad?.char ?? "0", 16);
  const padText = field.pad?.char ?? "0";

  const nibbleOf = (c: number) => bcdNibbleOf(c, track);
  const nibbleOk = (n: number) => n <= 9 || (track && n === SEPARATOR);
  const badDigit = (pos: number, index: number) =>
    new Iso8583Error("bad_content", key, pos, reasons.bcdNibble(index));
  function digitAt(nibble: number, pos: number, index: number): string {
    const c = bcdCharOf(nibble, track);
    if (c === undefined) throw badDigit(pos, index);
    return c;
  }

  // A field counting bytes whose dialect gives a non-digit filler (F): odd digit counts allowed.
  const bytesFilled = !countsDigits && field.pad !== null;
  /** Every nibble of `units` bytes, less one filler nibble at the filler's end. */
  function readFilledBytes(buf: Buffer, pos: number, units: number): string {
    let out = "";
    const last = 2 * units - 1;
    for (let i = 0; i <= last; i++) {
      const nibble = i & 1 ? buf[pos + (i >> 1)] & 0x0f : buf[pos + (i >> 1)] >> 4;
      if (nibble === padNibble && (padLeft ? i === 0 : i === last)) continue;
      out += digitAt(nibble, pos, out.length);
    }
    return out;
  }

  return {
    byteLength: (units) => (countsDigits ? (units + 1) >> 1 : units),
    measure(value) {
      for (let i = 0; i < value.length; i++) {
        const n = nibbleOf(value.charCodeAt(i));
        if (n < 0 || !nibbleOk(n)) {
          throw new Iso8583Error("bad_value", key, undefined, reasons.notContent(field.content, i));
        }
      }
      if (countsDigits) return value.length;
      // Counting bytes, an odd count takes the filler nibble where the dialect has one (a non-digit, so it reads back).
      if (value.length & 1 && !bytesFilled) throw new Iso8583Error("bad_value", key, undefined, reasons.oddBcdBytes());
      return (value.length + 1) >> 1;
    },
    write(buf, pos, value) {
      const digits = value.length;
      let i = 0;
      if (digits & 1 && padLeft) {
        buf[pos++] = (padNibble << 4) | nibbleOf(value.charCodeAt(i++));
      }
      for (; i + 1 < digits; i += 2) {
        buf[pos++] = (nibbleOf(value.charCodeAt(i)) << 4) | nibbleOf(value.charCodeAt(i + 1));
      }
      if (i < digits) buf[pos++] = (nibbleOf(value.charCodeAt(i)) << 4) | padNibble;
      return pos;
    },
    read(buf, pos, units) {
      if (!countsDigits && bytesFilled) return readFilledBytes(buf, pos, units);
      const digits = countsDigits ? units : units * 2;
      const odd = digits & 1;
      let p = pos;
      let out = "";
      if (odd && padLeft) {
        if (buf[p] >> 4 !== padNibble) throw new Iso8583Error("bad_pad", key, pos, reasons.padNibble(padText));
        out = digitAt(buf[p] & 0x0f, pos, 0);
        p++;
      }
      const pairsEnd = pos + (odd && !padLeft ? (digits - 1) >> 1 : (digits + 1) >> 1);
      for (; p < pairsEnd; p++) {
        const pair = pairs[buf[p]];
        if (pair === "") throw badDigit(pos, out.length + (nibbleOk(buf[p] >> 4) ? 1 : 0));
        out += pair;
      }
      if (odd && !padLeft) {
        out += digitAt(buf[p] >> 4, pos, out.length);
        if ((buf[p] & 0x0f) !== padNibble) throw new Iso8583Error("bad_pad", key, pos, reasons.padNibble(padText));
      }
      return out;
    },
  };
}
