import type { FieldTable } from "../dialectTable.js";
import { Iso8583Error, reasons } from "../errors.js";
import type { DataCodec } from "./dataCodec.js";
import { hexRead } from "./fastBuffer.js";

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Value of a hex character code (either case), for writing a value HEX has accepted. */
const HEX_VALUE = Uint8Array.from({ length: 128 }, (_, c) => {
  const v = parseInt(String.fromCharCode(c), 16);
  return Number.isNaN(v) ? 0 : v;
});
/** Below this many bytes a plain loop beats Buffer's hex decoder (a call into C++). */
const SHORT = 24;

/** Raw bytes, carried in a message as upper-case hex (lower case is accepted when packing). */
export function binary(_field: FieldTable, key: string): DataCodec {
  return {
    byteLength: (units) => units,
    measure(value) {
      if (!HEX.test(value)) throw new Iso8583Error("bad_value", key, undefined, reasons.notHex());
      return value.length >> 1;
    },
    write(buf, pos, value) {
      const n = value.length;
      if (n >= 2 * SHORT) return pos + buf.write(value, pos, "hex");
      for (let i = 0; i < n; i += 2) buf[pos++] = (HEX_VALUE[value.charCodeAt(i)] << 4) | HEX_VALUE[value.charCodeAt(i + 1)];
      return pos;
    },
    read: (buf, pos, units) => hexRead(buf, pos, pos + units),
  };
}
