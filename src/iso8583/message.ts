/**
 * An ISO 8583 message as plain JSON. Field keys are decimal field numbers ("2" … "128");
 * values are strings: text for ASCII fields, digits for BCD fields (track separator `D`),
 * uppercase hex for binary fields. `header` is the dialect's fixed header as uppercase hex.
 */
export interface Message {
  mti: string;
  header?: string;
  fields: Record<string, string>;
}

/** Where one part of a frame lies: the header (`h`), MTI (`t`), bitmaps (`p`, `1`) or a field. */
export interface FieldSpan {
  field: string;
  /** Offset of the first byte (the length prefix, where the field has one). */
  start: number;
  /** Offset of the first data byte, after any length prefix. */
  dataStart: number;
  /** Offset just past the last byte. */
  end: number;
}
