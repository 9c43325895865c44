import { firstBadByte, firstBadChar } from "../content.js";
import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";
import { latin1Read, latin1Write } from "./fastBuffer.js";

/** One byte per character; latin1 so that every byte maps to exactly one character and back. */
export function ascii(field: FieldTable, key: string): DataCodec {
  const content = field.content;
  return {
    byteLength: (units) => units,
    measure(value) {
      const bad = firstBadChar(content, value);
      if (bad >= 0) throw new Iso8583Error("bad_value", key, undefined, reasons.notContent(content, bad));
      return value.length;
    },
    write: latin1Write,
    read(buf, pos, units) {
      const bad = firstBadByte(content, buf, pos, pos + units);
      if (bad >= 0) throw new Iso8583Error("bad_content", key, pos, reasons.notContent(content, bad));
      return latin1Read(buf, pos, pos + units);
    },
  };
}
