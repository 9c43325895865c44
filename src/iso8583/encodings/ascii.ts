import { asciiAllowed, firstBadByte, firstBadChar } from "../content.js";
import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";
import { latin1Read, latin1Write } from "./fastBuffer.js";

/** One byte per character; latin1 so that every byte maps to exactly one character and back. */
export function ascii(field: FieldTable, key: string): DataCodec {
  const content = field.content;
  const read = latin1Read;
  if (content === "x+n") {
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
        return read(buf, pos, pos + units);
      },
    };
  }
  // Every other class is one table lookup per character: the table is captured here once
  // rather than looked up by class name on every call.
  const allowed = asciiAllowed(content);
  return {
    byteLength: (units) => units,
    measure(value) {
      const n = value.length;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0xff || allowed[c] === 0) {
          throw new Iso8583Error("bad_value", key, undefined, reasons.notContent(content, i));
        }
      }
      return n;
    },
    write: latin1Write,
    read(buf, pos, units) {
      const end = pos + units;
      for (let i = pos; i < end; i++) {
        if (allowed[buf[i]] === 0) throw new Iso8583Error("bad_content", key, pos, reasons.notContent(content, i - pos));
      }
      return read(buf, pos, end);
    },
  };
}
