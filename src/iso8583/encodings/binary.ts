import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";
import { hexRead } from "./fastBuffer.js";

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Raw bytes, carried in a message as upper-case hex (lower case is accepted when packing). */
export function binary(_field: FieldTable, key: string): DataCodec {
  return {
    byteLength: (units) => units,
    measure(value) {
      if (!HEX.test(value)) throw new Iso8583Error("bad_value", key, undefined, reasons.notHex());
      return value.length >> 1;
    },
    write: (buf, pos, value) => pos + buf.write(value, pos, "hex"),
    read: (buf, pos, units) => hexRead(buf, pos, pos + units),
  };
}
