import { decryptKey, encryptKey, keyCheckValue } from "../iso8583/mac.js";

/** The working keys a CUP sign-on reply hands the terminal, in clear. */
export interface WorkingKeys {
  /** PIN key. */
  pik: Buffer;
  /** MAC key: 8 bytes (single DES) or 16 (double length). */
  mak: Buffer;
}

const KCV_BYTES = 4;
/**
 * Layouts of field 62 in an 0810 (docs/protocol-notes.md §2.4): each key encrypted under the TMK and
 * followed by its check value. Single DES: PIK(8)+KCV+MAK(8)+KCV, 24 bytes. Double length:
 * PIK(16)+KCV+MAK(16)+KCV+TDK(16)+KCV, 60 bytes; the track key is not used here.
 */
const LAYOUTS = [
  { bytes: 24, keyBytes: 8 },
  { bytes: 60, keyBytes: 16 },
] as const;

/** Field 62 (hex) carrying `keys` under `tmk`; both keys must have the same length. */
export function encodeWorkingKeys(tmk: Buffer, keys: WorkingKeys): string {
  const layout = LAYOUTS.find((l) => l.keyBytes === keys.mak.length && l.keyBytes === keys.pik.length);
  if (layout === undefined) throw new Error("working keys must both be 8 or both be 16 bytes");
  const part = (key: Buffer) => [encryptKey(tmk, key), keyCheckValue(key)];
  const parts = [...part(keys.pik), ...part(keys.mak)];
  // The double-length layout ends with a track key slot; the simulators encrypt no tracks.
  if (layout.bytes === 60) parts.push(...part(Buffer.alloc(16)));
  return Buffer.concat(parts).toString("hex").toUpperCase();
}

/**
 * The working keys of a sign-on reply's field 62, decrypted under `tmk`. Throws when the field
 * has neither layout or a check value does not match: the terminal then keeps its old keys.
 */
export function decodeWorkingKeys(tmk: Buffer, field62: string): WorkingKeys {
  const raw = Buffer.from(field62, "hex");
  const layout = LAYOUTS.find((l) => l.bytes === raw.length);
  if (layout === undefined) {
    throw new Error(`sign-on field 62 is ${raw.length} bytes: expected 24 (single DES keys) or 60 (double length)`);
  }
  const key = (at: number, name: string) => {
    const clear = decryptKey(tmk, raw.subarray(at, at + layout.keyBytes));
    const kcv = raw.subarray(at + layout.keyBytes, at + layout.keyBytes + KCV_BYTES);
    if (!keyCheckValue(clear).equals(kcv)) throw new Error(`sign-on ${name} check value does not match: wrong TMK or a corrupted key`);
    return clear;
  };
  const step = layout.keyBytes + KCV_BYTES;
  return { pik: key(0, "PIN key"), mak: key(step, "MAC key") };
}
