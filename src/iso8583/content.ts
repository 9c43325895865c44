/**
 * Content classes: which characters a field may carry, by the names the dialect tables use.
 * Checked on both pack and unpack, so a letter in a numeric field is caught whichever side
 * produced it. Tables are 256-entry lookups: this runs over every byte of every ASCII field.
 */
export const CONTENT_CLASSES = ["n", "z", "an", "ans", "hex", "b", "x+n"] as const;
export type ContentClass = (typeof CONTENT_CLASSES)[number];

function table(allow: (code: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = allow(c) ? 1 : 0;
  return t;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;

/** Allowed byte values of ASCII-encoded fields, per class. `x+n` is digits after its sign. */
const ASCII_ALLOWED: Record<ContentClass, Uint8Array> = {
  n: table(isDigit),
  // Track data in ASCII: digits and the `=` field separator.
  z: table((c) => isDigit(c) || c === 0x3d),
  an: table((c) => isDigit(c) || isUpper(c) || isLower(c) || c === 0x20),
  ans: table((c) => c >= 0x20 && c <= 0x7e),
  hex: table((c) => isDigit(c) || (c >= 0x41 && c <= 0x46)),
  b: table(() => true),
  "x+n": table(isDigit),
};

/** The 256-entry table of byte values `content` allows in an ASCII field (1 = allowed). */
export const asciiAllowed = (content: ContentClass): Uint8Array => ASCII_ALLOWED[content];

const SIGN_C = 0x43;
const SIGN_D = 0x44;

/** The index of the first character that `content` does not allow, or -1. Works on strings. */
export function firstBadChar(content: ContentClass, value: string): number {
  const allowed = ASCII_ALLOWED[content];
  let i = 0;
  if (content === "x+n") {
    const sign = value.charCodeAt(0);
    if (sign !== SIGN_C && sign !== SIGN_D) return 0;
    i = 1;
  }
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || allowed[c] === 0) return i;
  }
  return -1;
}

/** The index (from `start`) of the first byte that `content` does not allow, or -1. */
export function firstBadByte(content: ContentClass, buf: Uint8Array, start: number, end: number): number {
  const allowed = ASCII_ALLOWED[content];
  let i = start;
  if (content === "x+n" && end > start) {
    if (buf[i] !== SIGN_C && buf[i] !== SIGN_D) return 0;
    i++;
  }
  for (; i < end; i++) if (allowed[buf[i]] === 0) return i - start;
  return -1;
}
