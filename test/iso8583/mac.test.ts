import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv } from "node:crypto";
import fc from "fast-check";
import {
  MAC_ALGORITHMS,
  computeMac,
  decryptKey,
  encryptKey,
  keyCheckValue,
  macInput,
  type MacAlgorithm,
} from "../../src/iso8583/mac.js";
import { validVectors } from "../helpers/sharedVectors.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");
const ascii = (s: string): Buffer => Buffer.from(s, "ascii");

/** The cnblogs CUP 0200 frame: 11-byte header (TPDU + CUP header), DE64 last. */
function cnblogsFrame(): Buffer {
  const vector = validVectors("cup").find((v) => v.id === "cup-real-0200-cnblogs");
  assert.ok(vector, "vector cup-real-0200-cnblogs is missing");
  return hex(vector.hex);
}

/*
 * An independent single-DES reference, written differently from mac.ts on purpose: 3-key
 * des-ede3 with K‖K‖K, one block at a time, with the CBC chaining done by hand.
 */
function desBlock(key: Buffer, block: Buffer, decrypt = false): Buffer {
  const k = Buffer.concat([key, key, key]);
  const c = decrypt ? createDecipheriv("des-ede3-ecb", k, null) : createCipheriv("des-ede3-ecb", k, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function referenceCbcMac(key: Buffer, data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 8));
  let chain: Buffer = Buffer.alloc(8);
  for (let b = 0; b < blocks; b++) {
    const block = Buffer.alloc(8);
    data.copy(block, 0, b * 8, Math.min(data.length, b * 8 + 8));
    for (let i = 0; i < 8; i++) block[i] ^= chain[i];
    chain = desBlock(key, block);
  }
  return chain;
}

function referenceRetailMac(key: Buffer, data: Buffer): Buffer {
  const left = key.subarray(0, 8);
  return desBlock(left, desBlock(key.subarray(8, 16), referenceCbcMac(left, data), true));
}

describe("mac", () => {
  describe("cup-ecb known answers", () => {
    // http://q.cnblogs.com/q/128930, docs/protocol-notes.md §2.5: DE64 of the frame is ASCII "B3A092AE".
    it("reproduces DE64 of the cnblogs frame with the double-length TAK", () => {
      const frame = cnblogsFrame();
      const mac = computeMac("cup-ecb", hex("0723C80DB5F4CD3D0723C80DB5F4CD3D"), macInput(frame, 11));
      assert.equal(mac.toString("hex").toUpperCase(), "4233413039324145");
      assert.equal(mac.toString("ascii"), "B3A092AE");
      assert.deepEqual(mac, frame.subarray(frame.length - 8));
    });

    it("gives the same MAC with the single-length key, since K1 = K2", () => {
      const mac = computeMac("cup-ecb", hex("0723C80DB5F4CD3D"), macInput(cnblogsFrame(), 11));
      assert.equal(mac.toString("ascii"), "B3A092AE");
    });

    it("gives the same MAC with the key as a triple-length K‖K‖K", () => {
      const mac = computeMac("cup-ecb", hex("0723C80DB5F4CD3D".repeat(3)), macInput(cnblogsFrame(), 11));
      assert.equal(mac.toString("ascii"), "B3A092AE");
    });
  });

  describe("x9.9 known answers", () => {
    // FIPS 113 example (also BouncyCastle MacTest, RustCrypto `daa` docs): "7654321 Now is the time for ".
    it("matches the FIPS 113 DAA example", () => {
      const mac = computeMac("x9.9", hex("0123456789ABCDEF"), ascii("7654321 Now is the time for "));
      assert.equal(mac.toString("hex").toUpperCase(), "F1D30F6849312CA4");
    });

    // imohsenb/iso8583 (C#) MacGeneratorUnitTest: TestAnsi99Pad and TestAnsi99NoPad.
    it("matches the imohsenb ANSI X9.9 tests", () => {
      const key = hex("0123456789ABCDEF");
      assert.equal(computeMac("x9.9", key, ascii("Now is the time for all ")).toString("hex").toUpperCase(), "70A30640CC76DD8B");
      assert.equal(
        computeMac("x9.9", key, Buffer.concat([ascii("Now is the time for all "), hex("ABCD")])).toString("hex").toUpperCase(),
        "36611DBB2D0AC1E6",
      );
    });

    // One kept cipher per key serves every MAC: nothing of one MAC may chain into the next.
    it("gives the same known answers again, interleaved, under the same keys", () => {
      const key = hex("0123456789ABCDEF");
      const fips = ascii("7654321 Now is the time for ");
      const imohsenb = ascii("Now is the time for all ");
      for (let round = 0; round < 2; round++) {
        assert.equal(computeMac("x9.9", key, fips).toString("hex").toUpperCase(), "F1D30F6849312CA4");
        assert.equal(computeMac("x9.9", key, imohsenb).toString("hex").toUpperCase(), "70A30640CC76DD8B");
        computeMac("x9.9", key, imohsenb).fill(0); // a caller changing a MAC must not reach the next one
        assert.equal(computeMac("x9.19", hex("0123456789ABCDEFFEDCBA9876543210"), imohsenb).toString("hex").toUpperCase(), "A1C72E74EA3FA9B6");
      }
    });

    // Ciphers are kept per key: a key Buffer written in place must not find the old key's.
    it("follows a key Buffer changed in place to the new key's MAC", () => {
      const key = hex("1111111111111111");
      const data = ascii("Now is the time for all ");
      computeMac("x9.9", key, data);
      hex("0123456789ABCDEF").copy(key);
      assert.equal(computeMac("x9.9", key, data).toString("hex").toUpperCase(), "70A30640CC76DD8B");
    });

    // BouncyCastle MacTest "DESEDE64": 3DES CBC-MAC, zero IV, 64-bit output.
    it("runs 3DES CBC-MAC with a double-length key (BouncyCastle DESEDE64)", () => {
      const mac = computeMac("x9.9", hex("7CA110454A1A6E570131D9619DC1376E"), ascii("Hello World !!!!"));
      assert.equal(mac.toString("hex").toUpperCase(), "862304D33AF01096");
    });
  });

  describe("x9.19 known answers", () => {
    // BouncyCastle ISO9797Alg3MacTest / MacTest "ISO9797ALG3".
    it("matches the BouncyCastle ISO9797Alg3Mac vector", () => {
      const mac = computeMac("x9.19", hex("7CA110454A1A6E570131D9619DC1376E"), ascii("Hello World !!!!"));
      assert.equal(mac.toString("hex").toUpperCase(), "F09B856213BAB83B");
    });

    // pyemv tests/test_mac.py: mac_iso9797_3(AA…, BB…, b"hello world", padding 1).
    it("matches the pyemv zero-padded algorithm 3 vector", () => {
      const mac = computeMac("x9.19", hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB"), ascii("hello world"));
      assert.equal(mac.toString("hex").toUpperCase(), "78DA3D3DEB48FD4D");
    });

    // imohsenb/iso8583 (C#) MacGeneratorUnitTest: TestAnsi919Pad and TestAnsi919NoPad.
    it("matches the imohsenb ANSI X9.19 tests", () => {
      const key = hex("0123456789ABCDEFFEDCBA9876543210");
      assert.equal(computeMac("x9.19", key, ascii("Now is the time for all ")).toString("hex").toUpperCase(), "A1C72E74EA3FA9B6");
      assert.equal(
        computeMac("x9.19", key, Buffer.concat([ascii("Now is the time for all "), hex("ABCD")])).toString("hex").toUpperCase(),
        "1C050879D95816B8",
      );
    });
  });

  describe("keys", () => {
    // https://blog.youkuaiyun.com/zhu244912654/article/details/80005341 (docs/protocol-notes.md §2.5).
    it("unwraps the published TAK under its TMK", () => {
      const tak = decryptKey(hex("70F2A84CCBC2AE8625CBB0F2C22AB923"), hex("96D605EA176B7E9E"));
      assert.equal(tak.toString("hex").toUpperCase(), "C24A8FB57AA20123");
    });

    it("wraps back to the published ciphertext", () => {
      const wrapped = encryptKey(hex("70F2A84CCBC2AE8625CBB0F2C22AB923"), hex("C24A8FB57AA20123"));
      assert.equal(wrapped.toString("hex").toUpperCase(), "96D605EA176B7E9E");
    });

    // DES(K=0, P=0) = 8CA64DE9C1B123A7 (libdes/OpenSSL destest); DES(0123456789ABCDEF, 0) = D5D44FF720683D0D.
    it("computes the KCV as the first 4 bytes of E_K(0)", () => {
      assert.equal(keyCheckValue(hex("0000000000000000")).toString("hex").toUpperCase(), "8CA64DE9");
      assert.equal(keyCheckValue(hex("0123456789ABCDEF")).toString("hex").toUpperCase(), "D5D44FF7");
      assert.equal(keyCheckValue(hex("0123456789ABCDEF0123456789ABCDEF")).toString("hex").toUpperCase(), "D5D44FF7");
    });

    it("round-trips wrap and unwrap for any key-encryption key", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(8, 16, 24).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
          fc.constantFrom(8, 16, 24).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
          (kek, key) => {
            const k = Buffer.from(kek);
            assert.deepEqual(decryptKey(k, encryptKey(k, Buffer.from(key))), Buffer.from(key));
          },
        ),
      );
    });
  });

  describe("macInput", () => {
    it("is the bytes between the header and DE64, sharing memory with the frame", () => {
      const frame = hex("AABB0102030405060708090A");
      const mab = macInput(frame, 2, 8);
      assert.deepEqual(mab, hex("0102"));
      frame[2] = 0xff;
      assert.equal(mab[0], 0xff);
    });

    it("defaults to an 8-byte MAC", () => {
      assert.equal(macInput(Buffer.alloc(30), 11).length, 11);
    });

    it("rejects a frame too short for its header and MAC", () => {
      assert.throws(() => macInput(Buffer.alloc(18), 11), {
        name: "RangeError",
        message: "frame of 18 bytes cannot hold a 11-byte header and a 8-byte MAC",
      });
    });
  });

  describe("errors", () => {
    // Negative cases, one table: the error catalogue. Key bytes never appear in the text.
    const secret = (n: number): Buffer => Buffer.alloc(n, 0xa5);
    const cases: [string, () => unknown, string][] = [
      // MAC keys
      ["cup-ecb 7-byte key", () => computeMac("cup-ecb", secret(7), Buffer.alloc(8)), "cup-ecb MAC key must be 8, 16 or 24 bytes, got 7"],
      ["x9.9 32-byte key", () => computeMac("x9.9", secret(32), Buffer.alloc(8)), "x9.9 MAC key must be 8, 16 or 24 bytes, got 32"],
      ["x9.19 24-byte key", () => computeMac("x9.19", secret(24), Buffer.alloc(8)), "x9.19 MAC key must be 8 or 16 bytes, got 24"],
      ["x9.19 empty key", () => computeMac("x9.19", secret(0), Buffer.alloc(8)), "x9.19 MAC key must be 8 or 16 bytes, got 0"],
      ["unknown algorithm", () => computeMac("x9.99" as MacAlgorithm, secret(8), Buffer.alloc(8)),
        'unknown MAC algorithm "x9.99": expected cup-ecb, x9.9, x9.19'],
      // KCV and key wrapping
      ["KCV 12-byte key", () => keyCheckValue(secret(12)), "KCV key must be 8, 16 or 24 bytes, got 12"],
      ["unwrap 15-byte KEK", () => decryptKey(secret(15), secret(8)), "key-encryption key must be 8, 16 or 24 bytes, got 15"],
      ["unwrap 12-byte data", () => decryptKey(secret(16), secret(12)), "wrapped key must be a non-zero multiple of 8 bytes, got 12"],
      ["wrap empty key", () => encryptKey(secret(16), secret(0)), "working key must be a non-zero multiple of 8 bytes, got 0"],
    ];
    for (const [name, run, message] of cases) {
      it(name, () => {
        assert.throws(run, (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.equal(e.message, message);
          assert.ok(!/a5a5|A5A5/.test(e.message));
          return true;
        });
      });
    }
  });

  describe("properties", () => {
    const key = (lengths: number[]) =>
      fc.constantFrom(...lengths).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })).map((k) => Buffer.from(k));
    const mab = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b));
    const keyFor: Record<MacAlgorithm, number[]> = { "cup-ecb": [8, 16, 24], "x9.9": [8, 16, 24], "x9.19": [8, 16] };

    it("always returns 8 bytes", () => {
      for (const algorithm of MAC_ALGORITHMS) {
        fc.assert(fc.property(key(keyFor[algorithm]), fc.uint8Array({ maxLength: 64 }), (k, m) => {
          assert.equal(computeMac(algorithm, k, Buffer.from(m)).length, 8);
        }));
      }
    });

    it("cup-ecb returns upper-case hex characters", () => {
      fc.assert(fc.property(key([8, 16]), mab, (k, m) => {
        assert.match(computeMac("cup-ecb", k, m).toString("latin1"), /^[0-9A-F]{8}$/);
      }));
    });

    it("x9.9 and x9.19 agree with an independent block-by-block computation", () => {
      fc.assert(fc.property(key([8]), key([8]), fc.uint8Array({ maxLength: 64 }), (kl, kr, m) => {
        const data = Buffer.from(m);
        assert.deepEqual(computeMac("x9.9", kl, data), referenceCbcMac(kl, data));
        assert.deepEqual(computeMac("x9.19", Buffer.concat([kl, kr]), data), referenceRetailMac(Buffer.concat([kl, kr]), data));
      }));
    });

    it("x9.19 with KL = KR equals x9.9 with KL, and with an 8-byte key equals x9.9", () => {
      fc.assert(fc.property(key([8]), mab, (kl, m) => {
        const x99 = computeMac("x9.9", kl, m);
        assert.deepEqual(computeMac("x9.19", Buffer.concat([kl, kl]), m), x99);
        assert.deepEqual(computeMac("x9.19", kl, m), x99);
      }));
    });

    // CBC chaining is a bijection per block, so changing exactly one byte always changes the MAC.
    it("x9.9 and x9.19 change when any one MAB byte changes", () => {
      for (const algorithm of ["x9.9", "x9.19"] as const) {
        fc.assert(fc.property(key(keyFor[algorithm]), mab, fc.nat(), fc.integer({ min: 1, max: 255 }), (k, m, at, delta) => {
          const changed = Buffer.from(m);
          changed[at % m.length] ^= delta;
          assert.notDeepEqual(computeMac(algorithm, k, changed), computeMac(algorithm, k, m));
        }));
      }
    });

    /*
     * cup-ecb: a one-byte change always changes the XOR fold R and so E2, but DE64 keeps only
     * half of E2, so two MABs collide with probability 2^-32: too rare to flake here.
     */
    it("cup-ecb changes when any one MAB byte changes", () => {
      fc.assert(fc.property(key([8, 16]), mab, fc.nat(), fc.integer({ min: 1, max: 255 }), (k, m, at, delta) => {
        const changed = Buffer.from(m);
        changed[at % m.length] ^= delta;
        assert.notDeepEqual(computeMac("cup-ecb", k, changed), computeMac("cup-ecb", k, m));
      }));
    });

    // The weakness XOR folding brings, kept visible: the order of 8-byte blocks does not matter.
    it("cup-ecb ignores the order of whole 8-byte blocks", () => {
      const block = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b));
      fc.assert(fc.property(key([16]), block, block, (k, a, b) => {
        assert.deepEqual(computeMac("cup-ecb", k, Buffer.concat([a, b])), computeMac("cup-ecb", k, Buffer.concat([b, a])));
      }));
    });
  });
});
