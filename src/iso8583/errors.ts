import type { FieldSpan, Message } from "./message.js";

/**
 * What went wrong, as a stable code: reports and tests match on it, while `reason` is for people.
 * Reasons never carry field values, so a PAN cannot leak through an error line.
 */
export type Iso8583ErrorKind =
  | "truncated"
  | "bad_length_prefix"
  | "length_above_max"
  | "bad_content"
  | "bad_pad"
  | "bad_mti"
  | "bad_bitmap"
  | "undefined_field"
  | "trailing_bytes"
  | "bad_header"
  | "bad_value"
  | "bad_message";

/**
 * Every encode and decode failure. `field` is a field number, or `h` (header), `t` (MTI),
 * `p` (primary bitmap), `1` (secondary bitmap), or `message` for the message as a whole.
 * `offset` is the byte position in the frame (decode only): the length prefix for length
 * errors, the data for data errors, the first extra byte for trailing bytes.
 */
export class Iso8583Error extends Error {
  override readonly name = "Iso8583Error";
  /** What decoded before the failure (decode only). */
  partial?: Message;
  /** Where each part that decoded lies (decode only, when spans were asked for). */
  spans?: FieldSpan[];

  constructor(
    readonly kind: Iso8583ErrorKind,
    readonly field: string,
    readonly offset: number | undefined,
    readonly reason: string,
  ) {
    super(offset === undefined ? `${reason}: field ${field}` : `${reason}: field ${field} pos ${offset}`);
  }

  /** The stable JSON shape printed by `isoconf decode --json`. */
  toJSON(): { field: string; offset: number | undefined; kind: Iso8583ErrorKind; reason: string } {
    return { field: this.field, offset: this.offset, kind: this.kind, reason: this.reason };
  }
}

/** The reason texts, in one place: the error catalogue. */
export const reasons = {
  truncated: (what: string, have: number, need: number) =>
    `${what} is ${have} bytes, expecting ${need}`,
  emptyInput: () => "no bytes to decode",
  lengthNotDigits: (encoding: string) => `length prefix is not ${encoding} decimal digits`,
  lengthAboveMax: (length: number, max: number, unit: string) =>
    `length ${length} ${unit} is larger than maximum ${max}`,
  notContent: (content: string, index: number) =>
    `the character at position ${index + 1} of the value (counting from 1) is not allowed in a field of class ${content}`,
  bcdNibble: (index: number) => `BCD digit ${index + 1} is not a decimal digit`,
  padNibble: (expected: string) => `BCD filler nibble is not ${expected}`,
  mtiNotDigits: () => "MTI is not four decimal digits",
  mtiVersion: (version: number) => `MTI does not start with the ISO 8583:${version} version digit`,
  bitmapNotHex: () => "bitmap is not upper-case hexadecimal",
  bitmapSecondaryEmpty: () => "secondary bitmap is present but no field 65-128 is set",
  undefinedField: () => "bitmap bit is set for a field this dialect does not define",
  trailing: (count: number) => `${count} extra byte(s) after the last field`,
  headerNotHex: (bytes: number) => `header must be ${bytes * 2} hexadecimal characters`,
  valueNotString: () => "value must be a string",
  unknownField: () => "this dialect does not define the field",
  valueLength: (length: number, expected: string, unit: string) =>
    `value is ${length} ${unit}, expecting ${expected}`,
  notHex: () => "value must be an even number of hexadecimal characters",
  oddBcdBytes: () => "value must have an even number of digits (length counts bytes, no filler)",
  messageShape: () => "message must be an object with a string mti and an object of string fields",
} as const;
