import type { Framing } from "./framing.js";
import { type LengthFramingOptions, type LengthHeader, lengthFraming } from "./lengthFraming.js";

/** '0' in ASCII: digits are 0x30-0x39. */
const ZERO = 0x30;

/** Four ASCII decimal digits (`0115`): jPOS ASCIIChannel (`0000` is its keep-alive), moov `ASCII4Bytes`. */
export const ascii4Header: LengthHeader = {
  name: "ascii4",
  bytes: 4,
  maxValue: 9999,
  expects: "4 ASCII decimal digits",
  read(buf, offset) {
    let value = 0;
    for (let i = offset; i < offset + 4; i++) {
      const digit = buf[i] - ZERO;
      if (digit < 0 || digit > 9) return NaN;
      value = value * 10 + digit;
    }
    return value;
  },
  write(value, buf, offset) {
    buf.write(String(value).padStart(4, "0"), offset, 4, "latin1");
  },
};

export function ascii4(options?: LengthFramingOptions): Framing {
  return lengthFraming(ascii4Header, options);
}
