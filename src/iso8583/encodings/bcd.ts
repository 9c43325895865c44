import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";
import { latin1Read } from "./fastBuffer.js";

/** Track data carries its field separator as the nibble D ("=" in ASCII). */
const SEPARATOR = 0xd;

/**
 * The characters of both nibbles of every byte value, high then low (`codes[2b]`, `codes[2b+1]`),
 * 0 where a nibble is not allowed: one lookup per byte on decode instead of two nibble checks.
 */
function pairTable(track: boolean): Uint8Array {
  const codes = new Uint8Array(512);
  for (let b = 0; b < 256; b++) {
    codes[2 * b] = bcdCodeOf(b >> 4, track);
    codes[2 * b + 1] = bcdCodeOf(b & 0x0f, track);
  }
  return codes;
}

/**
 * Where a value's characters are put together before they become one string: appending pair by
 * pair made a string object per pair, which the first read of the value then flattened again.
 * Decoding is synchronous, so one buffer serves every field; it grows for a longer one.
 */
let scratch = Buffer.allocUnsafe(256);
const scratchFor = (chars: number): Buffer => (scratch.length >= chars ? scratch : (scratch = Buffer.allocUnsafe(2 * chars)));

/** A value's character as a nibble: a digit, or `D` (the separator) in track data; -1 for anything else, so "=" cannot slip in as 13. */
export const bcdNibbleOf = (c: number, track: boolean): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c === 0x44 && track ? SEPARATOR : -1);

/** The character code of what a nibble stands for: a digit, or `D` in track data; 0 for any other nibble. */
const bcdCodeOf = (n: number, track: boolean): number => (n <= 9 ? 0x30 + n : track && n === SEPARATOR ? 0x44 : 0);

/** The character a nibble stands for: a digit, or `D` in track data; undefined for any other nibble. */
export const bcdCharOf = (n: number, track: boolean): string | undefined => {
  const c = bcdCodeOf(n, track);
  return c === 0 ? undefined : String.fromCharCode(c);
};

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
  /** The character code of a nibble (a digit, or D in track data); a bad digit at `index` otherwise. */
  function codeAt(nibble: number, pos: number, index: number): number {
    const c = bcdCodeOf(nibble, track);
    if (c === 0) throw badDigit(pos, index);
    return c;
  }

  // A field counting bytes whose dialect gives a non-digit filler (F): odd digit counts allowed.
  const bytesFilled = !countsDigits && field.pad !== null;
  /** Every nibble of `units` bytes, less one filler nibble at the filler's end. */
  function readFilledBytes(buf: Buffer, pos: number, units: number): string {
    const out = scratchFor(2 * units);
    let n = 0;
    const last = 2 * units - 1;
    for (let i = 0; i <= last; i++) {
      const nibble = i & 1 ? buf[pos + (i >> 1)] & 0x0f : buf[pos + (i >> 1)] >> 4;
      if (nibble === padNibble && (padLeft ? i === 0 : i === last)) continue;
      out[n] = codeAt(nibble, pos, n);
      n++;
    }
    return latin1Read(out, 0, n);
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
      const out = scratchFor(digits);
      let p = pos;
      let n = 0;
      if (odd && padLeft) {
        if (buf[p] >> 4 !== padNibble) throw new Iso8583Error("bad_pad", key, pos, reasons.padNibble(padText));
        out[n++] = codeAt(buf[p] & 0x0f, pos, 0);
        p++;
      }
      const pairsEnd = pos + (odd && !padLeft ? (digits - 1) >> 1 : (digits + 1) >> 1);
      for (; p < pairsEnd; p++) {
        const hi = pairs[2 * buf[p]];
        const lo = pairs[2 * buf[p] + 1];
        if (hi === 0 || lo === 0) throw badDigit(pos, n + (hi === 0 ? 0 : 1));
        out[n++] = hi;
        out[n++] = lo;
      }
      if (odd && !padLeft) {
        out[n] = codeAt(buf[p] >> 4, pos, n);
        n++;
        if ((buf[p] & 0x0f) !== padNibble) throw new Iso8583Error("bad_pad", key, pos, reasons.padNibble(padText));
      }
      return latin1Read(out, 0, n);
    },
  };
}
