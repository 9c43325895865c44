import type { DialectTable } from "./dialectTable.js";
import { Iso8583Error, reasons } from "./errors.js";
import type { Reader } from "./field.js";

/** The MTI's first digit is the standard's version: 0 for 1987, 1 for 1993. */
export const versionDigit = (version: number) => (version === 1993 ? "1" : "0");

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** Four decimal digits, exactly (what /^[0-9]{4}$/ matched), without a regular expression. */
const isMti = (s: string) =>
  s.length === 4 && isDigit(s.charCodeAt(0)) && isDigit(s.charCodeAt(1)) && isDigit(s.charCodeAt(2)) && isDigit(s.charCodeAt(3));

/** Throws unless `mti` is four digits of the dialect's ISO version. */
export function checkMti(table: DialectTable, mti: unknown): asserts mti is string {
  if (typeof mti !== "string" || !isMti(mti)) throw new Iso8583Error("bad_value", "t", undefined, reasons.mtiNotDigits());
  if (mti[0] !== versionDigit(table.iso_version)) {
    throw new Iso8583Error("bad_value", "t", undefined, reasons.mtiVersion(table.iso_version));
  }
}

export function writeMti(table: DialectTable, buf: Buffer, pos: number, mti: string): number {
  if (table.mti.encoding === "ascii") {
    buf[pos] = mti.charCodeAt(0);
    buf[pos + 1] = mti.charCodeAt(1);
    buf[pos + 2] = mti.charCodeAt(2);
    buf[pos + 3] = mti.charCodeAt(3);
    return pos + 4;
  }
  buf[pos] = ((mti.charCodeAt(0) - 0x30) << 4) | (mti.charCodeAt(1) - 0x30);
  buf[pos + 1] = ((mti.charCodeAt(2) - 0x30) << 4) | (mti.charCodeAt(3) - 0x30);
  return pos + 2;
}

/** Four BCD digits as text, or "" when a nibble is not a decimal digit. */
function bcdMti(b0: number, b1: number): string {
  const n0 = b0 >> 4, n1 = b0 & 0x0f, n2 = b1 >> 4, n3 = b1 & 0x0f;
  if (n0 > 9 || n1 > 9 || n2 > 9 || n3 > 9) return "";
  return String.fromCharCode(0x30 + n0, 0x30 + n1, 0x30 + n2, 0x30 + n3);
}

export function readMti(table: DialectTable, r: Reader): string {
  const width = table.mti.bytes;
  const start = r.pos;
  if (start + width > r.end) throw new Iso8583Error("truncated", "t", start, reasons.truncated("MTI", r.end - start, width));
  const b = r.buf;
  const mti =
    table.mti.encoding === "ascii"
      ? String.fromCharCode(b[start], b[start + 1], b[start + 2], b[start + 3])
      : bcdMti(b[start], b[start + 1]);
  if (!isMti(mti)) throw new Iso8583Error("bad_mti", "t", start, reasons.mtiNotDigits());
  if (mti[0] !== versionDigit(table.iso_version)) {
    throw new Iso8583Error("bad_mti", "t", start, reasons.mtiVersion(table.iso_version));
  }
  r.pos = start + width;
  return mti;
}
