import { encodeWorkingKeys, type WorkingKeys } from "../../protocol/index.js";
import type { SeededRandom } from "./seededRandom.js";

/** Single-length DES keys: the sign-on reply's single-DES layout (60.3 = 001). */
const KEY_BYTES = 8;

/** DES keys carry odd parity in each byte's low bit; HSMs and terminals may reject others. */
function oddParity(key: Buffer): Buffer {
  for (let i = 0; i < key.length; i++) {
    const high = key[i] & 0xfe;
    let ones = 0;
    for (let b = high; b !== 0; b >>= 1) ones += b & 1;
    key[i] = high | (ones % 2 === 0 ? 1 : 0);
  }
  return key;
}

/**
 * Fresh working keys for a sign-on, and field 62 carrying them under the terminal's master key:
 * PIK(8, encrypted) + KCV(4) + MAK(8, encrypted) + KCV(4) (docs/protocol-notes.md §2.4).
 */
export function issueWorkingKeys(random: SeededRandom, tmk: Buffer): { keys: WorkingKeys; field62: string } {
  const keys = { pik: oddParity(random.bytes(KEY_BYTES)), mak: oddParity(random.bytes(KEY_BYTES)) };
  return { keys, field62: encodeWorkingKeys(tmk, keys) };
}
