import type { DialectTable } from "./dialectTable.js";
import { Iso8583Error, reasons } from "./errors.js";
import type { Reader } from "./field.js";

const MTI = /^[0-9]{4}$/;

/** The MTI's first digit is the standard's version: 0 for 1987, 1 for 1993. */
const versionDigit = (version: number) => (version === 1993 ? "1" : "0");

/** Throws unless `mti` is four digits of the dialect's ISO version. */
export function checkMti(table: DialectTable, mti: unknown): asserts mti is string {
  if (typeof mti !== "string" || !MTI.test(mti)) throw new Iso8583Error("bad_value", "t", undefined, reasons.mtiNotDigits());
  if (mti[0] !== versionDigit(table.iso_version)) {
    throw new Iso8583Error("bad_value", "t", undefined, reasons.mtiVersion(table.iso_version));
  }
}

export function writeMti(table: DialectTable, buf: Buffer, pos: number, mti: string): number {
  if (table.mti.encoding === "ascii") return pos + buf.write(mti, pos, "latin1");
  const d = (i: number) => mti.charCodeAt(i) - 0x30;
  buf[pos] = (d(0) << 4) | d(1);
  buf[pos + 1] = (d(2) << 4) | d(3);
  return pos + 2;
}

export function readMti(table: DialectTable, r: Reader): string {
  const width = table.mti.bytes;
  const start = r.pos;
  if (start + width > r.end) throw new Iso8583Error("truncated", "t", start, reasons.truncated("MTI", r.end - start, width));
  const mti =
    table.mti.encoding === "ascii"
      ? r.buf.toString("latin1", start, start + 4)
      : r.buf.toString("hex", start, start + 2);
  if (!MTI.test(mti)) throw new Iso8583Error("bad_mti", "t", start, reasons.mtiNotDigits());
  if (mti[0] !== versionDigit(table.iso_version)) {
    throw new Iso8583Error("bad_mti", "t", start, reasons.mtiVersion(table.iso_version));
  }
  r.pos = start + width;
  return mti;
}
