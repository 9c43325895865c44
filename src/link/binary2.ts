import type { Framing } from "./framing.js";
import { type LengthFramingOptions, type LengthHeader, lengthFraming } from "./lengthFraming.js";

/**
 * 2-byte big-endian length, not counting itself: CUP/Lakala terminals, jPOS PostChannel and
 * NACChannel, moov `Binary2Bytes`. Caps a message at 65535 bytes.
 */
export const binary2Header: LengthHeader = {
  name: "binary2",
  bytes: 2,
  maxValue: 0xffff,
  expects: "a 2-byte big-endian length",
  read: (buf, offset) => buf.readUInt16BE(offset),
  write: (value, buf, offset) => {
    buf.writeUInt16BE(value, offset);
  },
};

export function binary2(options?: LengthFramingOptions): Framing {
  return lengthFraming(binary2Header, options);
}
