import type { Framing } from "./framing.js";
import { type LengthFramingOptions, type LengthHeader, lengthFraming } from "./lengthFraming.js";

/** 4-byte big-endian length, not counting itself: jPOS RawChannel. */
export const binary4Header: LengthHeader = {
  name: "binary4",
  bytes: 4,
  maxValue: 0xffffffff,
  expects: "a 4-byte big-endian length",
  read: (buf, offset) => buf.readUInt32BE(offset),
  write: (value, buf, offset) => {
    buf.writeUInt32BE(value, offset);
  },
};

export function binary4(options?: LengthFramingOptions): Framing {
  return lengthFraming(binary4Header, options);
}
