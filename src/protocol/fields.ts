import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import { formatField60, parseField60 } from "../iso8583/cup.js";
import { formatTime, timeFormatOf, type TimeField } from "../iso8583/timeFormats.js";
import { rulesOf } from "./rules.js";

/**
 * Where a dialect style carries the values transactions are built from. CUP packs type code,
 * batch and network code into field 60 and original references into 61; ISO 8583:1987 uses
 * field 70 for network management and 90 for original data elements.
 */

/** Field 60 for CUP: type code, batch, network code. */
export const cupField60 = (typeCode: string, batch: string, networkCode: string) =>
  formatField60({ typeCode, batch, networkCode, rest: "" });

/** The network management code of a message (CUP 60.3, ISO 87 field 70). */
export function networkCodeOf(dialect: Dialect, m: Message): string | undefined {
  if (rulesOf(dialect).style === "cup") {
    const f60 = m.fields["60"];
    return f60 === undefined ? undefined : parseField60(f60).networkCode || undefined;
  }
  return m.fields["70"];
}

/** The batch number a CUP message carries in 60.2 (undefined for ISO 87, which has none). */
export function batchOf(dialect: Dialect, m: Message): string | undefined {
  if (rulesOf(dialect).style !== "cup") return undefined;
  const f60 = m.fields["60"];
  return f60 === undefined ? undefined : parseField60(f60).batch || undefined;
}

/** The PAN of a request: field 2, or the digits before the separator of track 2. */
export function panOf(m: Message): string | undefined {
  if (m.fields["2"] !== undefined) return m.fields["2"];
  const track = m.fields["35"];
  if (track === undefined) return undefined;
  const sep = track.search(/[=D]/);
  return sep < 0 ? undefined : track.slice(0, sep);
}

/**
 * ISO 87 field 90, original data elements (n42): MTI, STAN, transmission date-time, then the
 * acquiring and forwarding institution IDs, which a terminal-level kit leaves as zeros.
 */
export function originalData(mti: string, stan: string, transmission: string): string {
  return mti + stan + transmission + "0".repeat(22);
}

export function parseOriginalData(f90: string): { mti: string; stan: string; transmission: string } {
  return { mti: f90.slice(0, 4), stan: f90.slice(4, 10), transmission: f90.slice(10, 20) };
}

/**
 * The STAN of the original a void or refund refers to: CUP field 61 holds batch(6) + STAN(6)
 * (+ date), ISO 87 field 90 the original data elements. Undefined when the message names none.
 */
export function referencedStan(dialect: Dialect, m: Message): string | undefined {
  if (rulesOf(dialect).style === "cup") return m.fields["61"]?.slice(6, 12) || undefined;
  const f90 = m.fields["90"];
  return f90 === undefined ? undefined : parseOriginalData(f90).stan;
}

/**
 * A text the protocol puts in a field, in the field's own class: as it is in a text field, as the
 * hex of its bytes in a binary one (`CUP` → `435550`), where a lab's table declares it binary.
 */
export function textIn(dialect: Dialect, key: string, text: string): string {
  return dialect.fieldsByKey[key]?.spec.content === "b" ? Buffer.from(text, "latin1").toString("hex").toUpperCase() : text;
}

/**
 * Fields 7, 12 and 13 of a moment, each in the form its field record gives it (`timeFormatOf`),
 * for those of `keys` the dialect defines. In UTC: the kit's clock is the reference.
 */
export function timeFields(dialect: Dialect, now: Date, keys: readonly TimeField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const codec = dialect.fields[Number(key)];
    const format = codec && timeFormatOf(codec.spec, key);
    if (format !== undefined) out[key] = formatTime(now, format);
  }
  return out;
}

/** MMDDhhmmss, hhmmss and MMDD of a moment, in UTC: what CUP's field 61 and ISO 87's field 90 carry of an original. */
export function timestamps(now: Date): { transmission: string; time: string; date: string } {
  const p = (n: number) => String(n).padStart(2, "0");
  const date = p(now.getUTCMonth() + 1) + p(now.getUTCDate());
  const time = p(now.getUTCHours()) + p(now.getUTCMinutes()) + p(now.getUTCSeconds());
  return { transmission: date + time, time, date };
}

/**
 * Field 54 of a balance reply (docs/protocol-notes.md §2.4): account type(2) + amount type(2) +
 * currency(3) + C/D + amount(12). Amount type 02 is the available balance.
 */
export function formatBalance(currency: string, minor: number): string {
  return "10" + "02" + currency + (minor < 0 ? "D" : "C") + String(Math.abs(minor)).padStart(12, "0");
}

/** The signed balance in minor units, or undefined when field 54 is not in that layout. */
export function parseBalance(f54: string | undefined): number | undefined {
  const m = f54 === undefined ? null : /^\d{2}\d{2}\d{3}([CD])(\d{12})/.exec(f54);
  if (m === null) return undefined;
  return (m[1] === "D" ? -1 : 1) * Number(m[2]);
}
