import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from "node:crypto";

/** The DE64 MAC algorithms a dialect can name (docs/protocol-notes.md §2.5). */
export type MacAlgorithm = "cup-ecb" | "x9.9" | "x9.19";

/** Every MAC algorithm, in the order the docs list them. */
export const MAC_ALGORITHMS: readonly MacAlgorithm[] = ["cup-ecb", "x9.9", "x9.19"];

/** DES works on 8-byte blocks, and every MAC here is one block long. */
const BLOCK = 8;

/** Key lengths each operation accepts: single, double and triple length DES. */
const DES_KEY_LENGTHS = [8, 16, 24] as const;
const RETAIL_KEY_LENGTHS = [8, 16] as const;

function checkKey(key: Buffer, allowed: readonly number[], what: string): void {
  if (!allowed.includes(key.length)) {
    // Only the length goes into the text: the key itself must never reach a log line.
    const lengths = `${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}`;
    throw new Error(`${what} key must be ${lengths} bytes, got ${key.length}`);
  }
}

/**
 * The OpenSSL cipher for a DES key. OpenSSL 3 hides single DES in the legacy provider, so a
 * single-length key K runs as two-key 3DES with K‖K: E_K(D_K(E_K(x))) = E_K(x).
 */
function desCipher(key: Buffer, mode: "ecb" | "cbc"): { name: string; key: Buffer } {
  if (key.length === 8) return { name: `des-ede-${mode}`, key: Buffer.concat([key, key]) };
  return { name: key.length === 16 ? `des-ede-${mode}` : `des-ede3-${mode}`, key };
}

/**
 * ECB ciphers kept per key and direction: making one costs several times more than using it,
 * and a MAC takes two per message. ECB carries no state between blocks, so one object serves
 * every call as long as `final` is never called. Bounded, as keys change at every sign-on.
 */
const ecbCiphers = new Map<string, Cipher | Decipher>();
const MAX_CACHED_CIPHERS = 256;

/**
 * E_K or D_K over whole blocks in ECB mode, without padding. E_K of one block is the CBC-MAC of
 * that block, so it takes the key's CBC chain: a key's check value, its PIN blocks and its MACs
 * then share one cipher, where a sign-on's new MAC key would otherwise make two.
 */
function ecb(key: Buffer, data: Buffer, decrypt = false): Buffer {
  if (!decrypt && data.length === BLOCK) return cbcMac(key, data);
  const id = (decrypt ? "d" : "e") + key.toString("hex");
  let cipher = ecbCiphers.get(id);
  if (cipher === undefined) {
    const { name, key: k } = desCipher(key, "ecb");
    cipher = decrypt ? createDecipheriv(name, k, null) : createCipheriv(name, k, null);
    cipher.setAutoPadding(false);
    if (ecbCiphers.size >= MAX_CACHED_CIPHERS) ecbCiphers.clear();
    ecbCiphers.set(id, cipher);
  }
  return cipher.update(data);
}

/** ISO 9797-1 padding method 1: zeros up to a whole block; empty data becomes one zero block. Always a copy. */
function zeroPadded(data: Buffer): Buffer {
  const padded = Buffer.allocUnsafe(Math.max(BLOCK, Math.ceil(data.length / BLOCK) * BLOCK));
  data.copy(padded);
  return padded.fill(0, data.length);
}

/** A CBC cipher of one key that is never finalised, and the last ciphertext block it produced. */
interface CbcChain {
  readonly cipher: Cipher;
  readonly last: Buffer;
}

/**
 * CBC ciphers kept per key, as making one costs more than the MAC itself. A kept cipher chains
 * on from its last ciphertext block C instead of the zero IV; XORing C into the first block of
 * the next input cancels it (E(x ⊕ C ⊕ C) = E(x)), so every MAC still starts from IV 0.
 */
const cbcChains = new Map<string, CbcChain>();

function cbcChainOf(key: Buffer): CbcChain {
  const id = key.toString("hex");
  let chain = cbcChains.get(id);
  if (chain === undefined) {
    const { name, key: k } = desCipher(key, "cbc");
    const cipher = createCipheriv(name, k, Buffer.alloc(BLOCK));
    cipher.setAutoPadding(false);
    chain = { cipher, last: Buffer.alloc(BLOCK) };
    if (cbcChains.size >= MAX_CACHED_CIPHERS) cbcChains.clear();
    cbcChains.set(id, chain);
  }
  return chain;
}

/** CBC-MAC with IV 0 over zero-padded data: the last ciphertext block. */
function cbcMac(key: Buffer, data: Buffer): Buffer {
  const chain = cbcChainOf(key);
  const padded = zeroPadded(data);
  for (let i = 0; i < BLOCK; i++) padded[i] ^= chain.last[i];
  // Whole blocks without padding: update returns every block at once and holds nothing back.
  const out = chain.cipher.update(padded);
  // The chain keeps its own copy, so a caller changing the returned MAC cannot break it.
  out.copy(chain.last, 0, out.length - BLOCK);
  return out.subarray(out.length - BLOCK);
}

/** 银联 POS ECB MAC, steps 1-6 of docs/protocol-notes.md §2.5. */
function cupEcbMac(key: Buffer, mab: Buffer): Buffer {
  const r = Buffer.alloc(BLOCK);
  for (let i = 0; i < mab.length; i++) r[i % BLOCK] ^= mab[i];
  // E2 = E(E(H1) ⊕ H2) is the CBC-MAC of H with IV 0: one cipher call instead of two.
  const e2 = cbcMac(key, upperHex(r, 2 * BLOCK));
  return upperHex(e2, BLOCK);
}

const HEX_DIGITS = Buffer.from("0123456789ABCDEF", "ascii");

/** The first `chars` characters of the upper-case hex text of `bytes`, as ASCII bytes: what the CUP MAC steps take. */
function upperHex(bytes: Buffer, chars: number): Buffer {
  const out = Buffer.allocUnsafe(chars);
  for (let i = 0; i < chars; i++) out[i] = HEX_DIGITS[i % 2 === 0 ? bytes[i >> 1] >> 4 : bytes[i >> 1] & 0x0f];
  return out;
}

/**
 * The 8-byte DE64 value for a MAB.
 * - `cup-ecb`: the CUP terminal MAC; the result is 8 ASCII hex characters. Key 8, 16 or 24 bytes.
 * - `x9.9`: ANSI X9.9 / ISO 9797-1 algorithm 1, zero padding, IV 0. An 8-byte key is single DES;
 *   a 16- or 24-byte key runs the same CBC-MAC with 3DES, as jPOS and HSMs do for double-length MAKs.
 * - `x9.19`: ANSI X9.19 retail MAC / ISO 9797-1 algorithm 3 with key KL‖KR (16 bytes): single-DES
 *   CBC with KL, then D_KR and E_KL on the last block. An 8-byte key gives the X9.9 result.
 */
export function computeMac(algorithm: MacAlgorithm, key: Buffer, mab: Buffer): Buffer {
  switch (algorithm) {
    case "cup-ecb":
      checkKey(key, DES_KEY_LENGTHS, "cup-ecb MAC");
      return cupEcbMac(key, mab);
    case "x9.9":
      checkKey(key, DES_KEY_LENGTHS, "x9.9 MAC");
      return cbcMac(key, mab);
    case "x9.19": {
      checkKey(key, RETAIL_KEY_LENGTHS, "x9.19 MAC");
      const left = key.subarray(0, BLOCK);
      const chain = cbcMac(left, mab);
      return key.length === BLOCK ? chain : ecb(left, ecb(key.subarray(BLOCK), chain, true));
    }
    default:
      // Dialects arrive as JSON, so the type alone does not rule out other names.
      throw new Error(`unknown MAC algorithm "${String(algorithm)}": expected ${MAC_ALGORITHMS.join(", ")}`);
  }
}

/**
 * The MAB of a frame as CUP defines it: everything after the fixed header (TPDU and CUP header)
 * up to the end of the last field before DE64. Zero-copy: it shares memory with `frame`.
 */
export function macInput(frame: Buffer, headerBytes: number, macBytes = BLOCK): Buffer {
  if (!Number.isInteger(headerBytes) || !Number.isInteger(macBytes) || headerBytes < 0 || macBytes < 0 ||
    headerBytes + macBytes > frame.length) {
    throw new RangeError(`frame of ${frame.length} bytes cannot hold a ${headerBytes}-byte header and a ${macBytes}-byte MAC`);
  }
  return frame.subarray(headerBytes, frame.length - macBytes);
}

/** Key check value: the first 4 bytes of E_key(8×00), as CUP sign-on field 62 carries after each working key. */
export function keyCheckValue(key: Buffer): Buffer {
  checkKey(key, DES_KEY_LENGTHS, "KCV");
  return ecb(key, Buffer.alloc(BLOCK)).subarray(0, 4);
}

function checkBlocks(data: Buffer, what: string): void {
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new Error(`${what} must be a non-zero multiple of ${BLOCK} bytes, got ${data.length}`);
  }
}

/** Unwraps a working key (TAK, TPK, TDK) sent encrypted under the TMK: DES/3DES ECB decryption. */
export function decryptKey(kek: Buffer, wrapped: Buffer): Buffer {
  checkKey(kek, DES_KEY_LENGTHS, "key-encryption");
  checkBlocks(wrapped, "wrapped key");
  return ecb(kek, wrapped, true);
}

/** Wraps a working key under the TMK, the inverse of `decryptKey`: DES/3DES ECB encryption. */
export function encryptKey(kek: Buffer, key: Buffer): Buffer {
  checkKey(kek, DES_KEY_LENGTHS, "key-encryption");
  checkBlocks(key, "working key");
  return ecb(kek, key);
}
