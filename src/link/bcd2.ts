import type { Framing } from "./framing.js";
import { type LengthFramingOptions, type LengthHeader, lengthFraming } from "./lengthFraming.js";

/** Four BCD digits in two bytes (`01 15` = 115): jPOS NCCChannel and BCDChannel, moov `BCD2Bytes`. */
export const bcd2Header: LengthHeader = {
  name: "bcd2",
  bytes: 2,
  maxValue: 9999,
  expects: "4 BCD digits (each nibble 0-9)",
  read(buf, offset) {
    let value = 0;
    for (let i = offset; i < offset + 2; i++) {
      const high = buf[i] >> 4;
      const low = buf[i] & 0x0f;
      if (high > 9 || low > 9) return NaN;
      value = value * 100 + high * 10 + low;
    }
    return value;
  },
  write(value, buf, offset) {
    const hundreds = Math.floor(value / 100);
    buf[offset] = toBcdByte(hundreds);
    buf[offset + 1] = toBcdByte(value % 100);
  },
};

/** Two decimal digits (0-99) packed in one byte. */
function toBcdByte(twoDigits: number): number {
  return (Math.floor(twoDigits / 10) << 4) | twoDigits % 10;
}

export function bcd2(options?: LengthFramingOptions): Framing {
  return lengthFraming(bcd2Header, options);
}
