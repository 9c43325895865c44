import fc from "fast-check";
import type { Dialect } from "../src/iso8583/dialect.js";
import type { FieldTable } from "../src/iso8583/dialectTable.js";
import type { Message } from "../src/iso8583/message.js";

const chars = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
const DIGITS = chars(0x30, 0x39);
const HEX = [...DIGITS, ..."ABCDEF"];
const ALNUM_SPACE = [...DIGITS, ...chars(0x41, 0x5a), ...chars(0x61, 0x7a), " "];
const PRINTABLE = chars(0x20, 0x7e);

/** What `message` may vary; every option is optional. */
export interface MessageConstraints {
  /** MTIs to choose from (default: any four digits of the dialect's ISO version). */
  mtis?: readonly string[];
  /** Field numbers that may appear (default: every field the dialect defines). */
  fields?: readonly number[];
}

// Bytes mapped onto the alphabet: much faster than a string of constantFrom units for
// fields of hundreds of characters, and it still shrinks towards the alphabet's first character.
const textOf = (alphabet: readonly string[], minLength: number, maxLength: number) =>
  fc.uint8Array({ minLength, maxLength }).map((b) => {
    let s = "";
    for (let i = 0; i < b.length; i++) s += alphabet[b[i] % alphabet.length];
    return s;
  });

/** A value of exactly `length` units that the field's content class and encoding allow. */
function valueOfLength(f: FieldTable, length: number): fc.Arbitrary<string> {
  if (f.data_encoding === "binary") {
    return fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString("hex").toUpperCase());
  }
  const digits = f.data_encoding === "bcd" && f.length_unit === "bytes" ? 2 * length : length;
  switch (f.content) {
    case "n":
      return textOf(DIGITS, digits, digits);
    case "z": {
      // Track data: digits with at most one separator, `D` in BCD and `=` in ASCII.
      const sep = f.data_encoding === "bcd" ? "D" : "=";
      return fc.tuple(textOf(DIGITS, digits, digits), fc.nat(Math.max(digits - 1, 0)), fc.boolean()).map(([d, at, withSep]) =>
        withSep && d.length > 0 ? d.slice(0, at) + sep + d.slice(at + 1) : d,
      );
    }
    case "an":
      return textOf(ALNUM_SPACE, length, length);
    case "ans":
      return textOf(PRINTABLE, length, length);
    case "hex":
      return textOf(HEX, length, length);
    case "x+n":
      return fc.tuple(fc.constantFrom("C", "D"), textOf(DIGITS, length - 1, length - 1)).map(([s, d]) => s + d);
    case "b":
      return textOf(chars(0, 255), length, length);
  }
}

/** Any value the field accepts: fixed fields at their length, variable ones from empty to max. */
export function fieldValue(f: FieldTable): fc.Arbitrary<string> {
  if (f.length_type === "fixed") return valueOfLength(f, f.max_length);
  // Boundaries (empty, 1, max) are where codecs break, so they come up often.
  const length = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: f.max_length }) },
    { weight: 1, arbitrary: fc.constantFrom(0, Math.min(1, f.max_length), f.max_length) },
  );
  return length.chain((n) => valueOfLength(f, n));
}

/**
 * Any message the dialect can carry, derived from its field table: the codec's round-trip
 * properties and the malformed-frame fuzzers start from it.
 */
export function message(dialect: Dialect, constraints: MessageConstraints = {}): fc.Arbitrary<Message> {
  const table = dialect.table;
  const allowed = new Set(constraints.fields ?? table.fields.map((f) => f.number));
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const f of table.fields) if (allowed.has(f.number)) model[String(f.number)] = fieldValue(f);
  const versionDigit = table.iso_version === 1993 ? "1" : "0";
  const mti = constraints.mtis ? fc.constantFrom(...constraints.mtis) : textOf(DIGITS, 3, 3).map((d) => versionDigit + d);
  const header =
    dialect.headerBytes > 0
      ? fc.uint8Array({ minLength: dialect.headerBytes, maxLength: dialect.headerBytes }).map((b) => Buffer.from(b).toString("hex").toUpperCase())
      : fc.constant(undefined);
  return fc.record({ mti, header, fields: fc.record(model, { requiredKeys: [] }) }).map(({ mti, header, fields }) => {
    // fc.record leaves out absent keys on a null-prototype object; a message is plain JSON.
    const m: Message = { mti, fields: { ...(fields as Record<string, string>) } };
    if (header !== undefined) m.header = header;
    return m;
  });
}
