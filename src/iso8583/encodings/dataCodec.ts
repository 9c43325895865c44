/**
 * How one field's data (after any length prefix) is written and read. A field is measured
 * in its dialect's unit: characters or bytes (`bytes`) or BCD digits (`digits`).
 */
export interface DataCodec {
  /** Bytes on the wire for a value of `units` length. */
  byteLength(units: number): number;
  /** The value's length in units; throws an `Iso8583Error` when the value cannot be encoded. */
  measure(value: string): number;
  /** Writes a value that `measure` accepted; returns the position after it. */
  write(buf: Buffer, pos: number, value: string): number;
  /** Reads `units` of data at `pos` (the bytes are known to be there); throws on bad content. */
  read(buf: Buffer, pos: number, units: number): string;
}
