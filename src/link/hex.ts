/** Bytes as spaced uppercase hex (`1A 05`), the way a wire log shows them. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hexPair).join(" ");
}

/** One byte as `0x1A`. */
export function hexByte(byte: number): string {
  return `0x${hexPair(byte)}`;
}

function hexPair(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}
