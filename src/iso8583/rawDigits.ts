import type { Dialect } from "./dialect.js";
import { Iso8583Error } from "./errors.js";
import type { FieldSpan } from "./message.js";
import { unpack } from "./unpack.js";

/**
 * A fixed numeric field's text written into, and read out of, packed bytes around the codec's
 * strictness: the kit writes hostile amounts this way (a sign, spaces for leading zeros), and a
 * lax host reads them. ASCII fields take the characters as they are; in BCD the sign is the
 * nibble D, as packed decimal writes it, and a space the pad nibble F.
 */
const BCD_EXTRA: Readonly<Record<string, number>> = { "-": 0xd, " ": 0xf };
const BCD_CHAR: Readonly<Record<number, string>> = { 0xd: "-", 0xf: " " };

/**
 * Where fixed ASCII or BCD `field` lies in `frame`: its data offset and byte count, also when
 * the frame fails to decode at that very field (what a lax reader gets to see); undefined when
 * the field is absent, of another kind, or cut short.
 */
function rawField(dialect: Dialect, frame: Buffer, field: string): { at: number; bytes: number; bcd: boolean } | undefined {
  const spec = dialect.fields[Number(field)]?.spec;
  if (spec === undefined || spec.length_type !== "fixed" || (spec.data_encoding !== "ascii" && spec.data_encoding !== "bcd")) return undefined;
  const bcd = spec.data_encoding === "bcd";
  if (bcd && spec.max_length % 2 !== 0) return undefined;
  const spans: FieldSpan[] = [];
  let at: number | undefined;
  try {
    unpack(dialect, frame, spans);
    at = spans.find((s) => s.field === field)?.dataStart;
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    // Fixed fields have no prefix: the failed one starts where the last decoded part ends.
    if (e.field === field) at = spans.at(-1)?.end;
  }
  const bytes = bcd ? spec.max_length / 2 : spec.max_length;
  return at === undefined || at + bytes > frame.length ? undefined : { at, bytes, bcd };
}

/** A copy of `frame` with fixed `field`'s data replaced by `text` (its length in digits), or undefined where that cannot be done. */
export function writeRawDigits(dialect: Dialect, frame: Buffer, field: string, text: string): Buffer | undefined {
  const f = rawField(dialect, frame, field);
  if (f === undefined || text.length !== (f.bcd ? 2 * f.bytes : f.bytes)) return undefined;
  const out = Buffer.from(frame);
  if (!f.bcd) {
    out.write(text, f.at, "latin1");
    return out;
  }
  const nibble = (c: string) => BCD_EXTRA[c] ?? Number(c);
  for (let i = 0; i < f.bytes; i++) out[f.at + i] = (nibble(text[2 * i]) << 4) | nibble(text[2 * i + 1]);
  return out;
}

/** The text of fixed `field`, read leniently (what `writeRawDigits` wrote reads back), or undefined where it cannot be found. */
export function readRawDigits(dialect: Dialect, frame: Buffer, field: string): string | undefined {
  const f = rawField(dialect, frame, field);
  if (f === undefined) return undefined;
  if (!f.bcd) return frame.toString("latin1", f.at, f.at + f.bytes);
  let text = "";
  for (let i = f.at; i < f.at + f.bytes; i++) for (const n of [frame[i] >> 4, frame[i] & 0x0f]) text += BCD_CHAR[n] ?? (n <= 9 ? String(n) : "?");
  return text;
}
