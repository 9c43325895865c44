/**
 * Length prefixes of variable fields: how the number of units is written before the data.
 * Each prefix is a small unit with a name the dialect refers to (`length_prefix_encoding`).
 */
export interface LengthPrefix {
  /** Bytes the prefix takes on the wire. */
  readonly bytes: number;
  /** Largest length the prefix can express. */
  readonly capacity: number;
  /** The length, or -1 when the prefix bytes are not a valid number in this encoding. */
  read(buf: Uint8Array, pos: number): number;
  write(buf: Uint8Array, pos: number, length: number): void;
}

/** Decimal digits as ASCII characters (`"07"`, `"107"`). */
function asciiPrefix(bytes: number): LengthPrefix {
  return {
    bytes,
    capacity: 10 ** bytes - 1,
    read(buf, pos) {
      let n = 0;
      for (let i = pos; i < pos + bytes; i++) {
        const d = buf[i] - 0x30;
        if (d < 0 || d > 9) return -1;
        n = n * 10 + d;
      }
      return n;
    },
    write(buf, pos, length) {
      for (let i = pos + bytes - 1; i >= pos; i--) {
        buf[i] = 0x30 + (length % 10);
        length = Math.floor(length / 10);
      }
    },
  };
}

/** Packed BCD, two decimal digits a byte (`0x01 0x07` = 107). */
function bcdPrefix(bytes: number): LengthPrefix {
  return {
    bytes,
    capacity: 10 ** (2 * bytes) - 1,
    read(buf, pos) {
      let n = 0;
      for (let i = pos; i < pos + bytes; i++) {
        const hi = buf[i] >> 4;
        const lo = buf[i] & 0x0f;
        if (hi > 9 || lo > 9) return -1;
        n = n * 100 + hi * 10 + lo;
      }
      return n;
    },
    write(buf, pos, length) {
      for (let i = pos + bytes - 1; i >= pos; i--) {
        const pair = length % 100;
        buf[i] = ((pair / 10) << 4) | pair % 10;
        length = Math.floor(length / 100);
      }
    },
  };
}

/** Unsigned big-endian binary. */
function binaryPrefix(bytes: number): LengthPrefix {
  return {
    bytes,
    capacity: 2 ** (8 * bytes) - 1,
    read(buf, pos) {
      let n = 0;
      for (let i = pos; i < pos + bytes; i++) n = n * 256 + buf[i];
      return n;
    },
    write(buf, pos, length) {
      for (let i = pos + bytes - 1; i >= pos; i--) {
        buf[i] = length & 0xff;
        length = Math.floor(length / 256);
      }
    },
  };
}

export const LENGTH_PREFIX_ENCODINGS = ["ascii", "bcd", "binary"] as const;
export type LengthPrefixEncoding = (typeof LENGTH_PREFIX_ENCODINGS)[number];

const PREFIXES: Record<LengthPrefixEncoding, (bytes: number) => LengthPrefix> = {
  ascii: asciiPrefix,
  bcd: bcdPrefix,
  binary: binaryPrefix,
};

/** The prefix unit for a dialect's `length_prefix_encoding` and `length_prefix_bytes`. */
export function lengthPrefix(encoding: LengthPrefixEncoding, bytes: number): LengthPrefix {
  return PREFIXES[encoding](bytes);
}
