/**
 * Byte-level mutations for fuzzing the decoder: cheap and seeded, so that 100,000 cases fit in a
 * test run and a failure names the seed that reproduces it.
 */
export type Rng = () => number;

/** xorshift32: deterministic, fast, good enough to pick mutations. Returns a float in [0, 1). */
export function rng(seed: number): Rng {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const int = (r: Rng, n: number) => Math.floor(r() * n);

/** One random mutation of `frame`: flips, overwrites, inserts, deletes, truncations, splices. */
export function mutate(frame: Buffer, r: Rng): Buffer {
  const out = Buffer.from(frame);
  const at = int(r, Math.max(out.length, 1));
  switch (int(r, 7)) {
    case 0: // flip one bit
      if (out.length > 0) out[at] ^= 1 << int(r, 8);
      return out;
    case 1: // overwrite a byte with something interesting
      if (out.length > 0) out[at] = [0x00, 0xff, 0x30, 0x39, 0x3a, 0x7f, 0x80, 0x0a, 0x99, 0x9a, int(r, 256)][int(r, 11)];
      return out;
    case 2: // truncate
      return out.subarray(0, at);
    case 3: // insert bytes
      return Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(r, 4) }, () => int(r, 256))), out.subarray(at)]);
    case 4: // delete bytes
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(r, 4))]);
    case 5: // append trailing bytes
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + int(r, 8) }, () => int(r, 256)))]);
    default: // several flips at once
      for (let i = 0; i < 4 && out.length > 0; i++) out[int(r, out.length)] ^= 1 << int(r, 8);
      return out;
  }
}

/** Random bytes of random length up to `max`. */
export function randomBytes(r: Rng, max: number): Buffer {
  const b = Buffer.allocUnsafe(int(r, max + 1));
  for (let i = 0; i < b.length; i++) b[i] = int(r, 256);
  return b;
}
