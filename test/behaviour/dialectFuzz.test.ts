import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { runConformance } from "../../api/runConformance.js";
import { UsageError } from "../../api/usageError.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { DialectError, loadDialect } from "../../src/iso8583/dialect.js";
import { DEFAULT_TMK, MERCHANT_ID, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { startHostServer } from "../../src/sim/host/startHostServer.js";
import type { DialectTable, FieldTable } from "../../src/iso8583/dialectTable.js";

// No dialect that `isoconf dialects FILE` accepts makes a run crash: generated variants of the
// built-in tables (field encodings, code lengths, ID lengths, time forms) either are refused in
// one line before anything runs, or run both roles against the reference SUTs with every
// property passing. A crash, or a false alarm, is the kit assuming something of its dialect.

type Change = (t: DialectTable) => void;
const setField = (n: number, patch: Partial<FieldTable>): Change => (t) => {
  t.fields = t.fields.map((f) => (f.number === n ? ({ ...f, ...patch } as FieldTable) : f));
};

const ASCII_LL: Partial<FieldTable> = { data_encoding: "ascii", length_type: "LL", length_prefix_encoding: "ascii", length_prefix_bytes: 2, length_unit: "bytes", pad: null };
const BCD_LL: Partial<FieldTable> = { data_encoding: "bcd", length_type: "LL", length_prefix_encoding: "bcd", length_prefix_bytes: 1, length_unit: "digits", pad: { side: "right", char: "0" } };
const BINARY_LL: Partial<FieldTable> = { length_type: "LL", length_prefix_encoding: "binary", length_prefix_bytes: 1 };

const widenCodes: Change = (t) => {
  const rules = t.transactions!;
  const widen = <T extends Record<string, string>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.padStart(3, "0")])) as T;
  rules.codes = widen(rules.codes);
  rules.reversal.reasons = widen(rules.reversal.reasons);
  setField(39, { max_length: 3 })(t);
};

/** Changes a lab makes to match its SUT's field table, each on its own; a variant takes a few. */
const CHANGES: Record<string, Change> = {
  "PAN in ASCII, LL": setField(2, { ...ASCII_LL, max_length: 19 }),
  "PAN in BCD, LL counting digits": setField(2, { ...BCD_LL, max_length: 19 }),
  "track 2 in ASCII, LL": setField(35, { ...ASCII_LL, max_length: 37 }),
  "PAN in BCD, LLL in 1.5 bytes": setField(2, { ...BCD_LL, length_type: "LLL", length_prefix_bytes: 2, length_prefix_nibbles: 3, max_length: 19, pad: { side: "right", char: "F" } }),
  "track 2 in BCD, LL counting bytes, filled F": setField(35, { ...BCD_LL, content: "z", length_unit: "bytes", max_length: 19, pad: { side: "right", char: "F" } }),
  "amount in ASCII": setField(4, { data_encoding: "ascii", length_unit: "bytes", pad: null }),
  "STAN in ASCII": setField(11, { data_encoding: "ascii", length_unit: "bytes", pad: null }),
  "3-character response codes": widenCodes,
  "field 12 as YYMMDDhhmmss": setField(12, { max_length: 12 }),
  "field 13 as YYMMDD": setField(13, { max_length: 6 }),
  "16-character merchant": setField(42, { max_length: 16 }),
  "field 41 as LL": setField(41, { ...ASCII_LL, max_length: 16 }),
  "field 63 as binary LL": setField(63, { ...BINARY_LL, data_encoding: "binary", content: "b", length_unit: "bytes", pad: null, max_length: 99 }),
  "field 39 as one BCD byte": (t) => {
    setField(39, { content: "n", data_encoding: "bcd", length_unit: "digits", max_length: 2, pad: { side: "left", char: "0" } })(t);
    t.transactions!.codes.mac_error = "63";
    t.transactions!.reversal.reasons.bad_mac = "63";
  },
  "field 41 as 4 BCD bytes": setField(41, { content: "n", data_encoding: "bcd", length_unit: "digits", max_length: 8, pad: { side: "left", char: "0" } }),
  "purchase as 0100": (t) => (t.transactions!.operations.purchase.mti = "0100"),
  "framing ascii4": (t) => (t.framing = "ascii4"),
  "framing binary4": (t) => (t.framing = "binary4"),
  "framing ascii4 counting hex characters, itself included": (t) => (t.framing = { name: "ascii4", length_counts: "hex_chars", includes_header: true }),
};

const variant = fc.record({
  base: fc.constantFrom("cup", "iso87ascii", "iso87binary"),
  changes: fc.subarray(Object.keys(CHANGES), { minLength: 1, maxLength: 5 }),
});

describe("generated dialect variants: a clean verdict or a one-line setup error, never a crash", function () {
  this.timeout(180_000);

  it("property: both roles against the reference SUTs, a few scenarios each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-dialect-fuzz-"));
    let ran = 0;
    let setupErrors = 0;
    await fc.assert(
      fc.asyncProperty(variant, async ({ base, changes }) => {
        const t = structuredClone(builtinDialect(base).table);
        t.dialect = `fuzz-${base}`;
        for (const c of changes) CHANGES[c](t);
        try {
          loadDialect(t, "variant");
        } catch (e) {
          if (e instanceof DialectError) return; // refused as a dialect: what `isoconf dialects FILE` says too
          throw e;
        }
        const file = join(dir, `${ran}.json`);
        writeFileSync(file, JSON.stringify(t));
        const merchant = changes.includes("16-character merchant") ? "1234567890123456" : undefined;
        for (const role of ["host", "terminal"] as const) {
          try {
            const r = await runConformance({ role, dialect: file, runs: 4, seed: ran, out: join(dir, `out-${ran}-${role}`), ...(merchant ? { merchant } : {}) });
            const alarms = r.result.properties.filter((p) => p.verdict === "fail" || p.verdict === "flaky").map((p) => p.id);
            assert.deepEqual(alarms, [], `${role} under ${base} + ${changes.join(", ")}: the correct reference SUT failed`);
            assert.equal(r.result.interrupted, false, `${role} under ${base} + ${changes.join(", ")}: ${r.result.stopped?.message}`);
          } catch (e) {
            // A setup error is fine when it is one line a user can act on; anything else is the kit's own fault.
            if (!(e instanceof UsageError || e instanceof DialectError)) throw new Error(`${role} under ${base} + ${changes.join(", ")} crashed: ${(e as Error).stack}`);
            assert.ok(!e.message.includes("\n"), e.message);
            setupErrors++;
          }
        }
        ran++;
      }),
      { numRuns: 100, seed: 20261203 },
    );
    assert.ok(ran >= 10, `only ${ran} variants were accepted: the property judged too few`);
    console.log(`      (${ran} accepted variants; ${2 * ran - setupErrors} role runs clean, ${setupErrors} refused at setup in one line)`);
  });

  it("property, over TCP: the kit against the reference host serving on loopback, the real-clock path (sign-on check included)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-dialect-fuzz-tcp-"));
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(variant, async ({ base, changes }) => {
        const t = structuredClone(builtinDialect(base).table);
        t.dialect = `fuzz-${base}`;
        for (const c of changes) CHANGES[c](t);
        let d;
        try {
          d = loadDialect(t, "variant");
        } catch (e) {
          if (e instanceof DialectError) return;
          throw e;
        }
        const merchant = changes.includes("16-character merchant") ? "1234567890123456" : MERCHANT_ID;
        const terminals = REGISTERED_TERMINALS.map((tid) => ({ tid, mid: merchant, tmk: DEFAULT_TMK }));
        let server;
        try {
          server = await startHostServer({ dialect: d, terminals });
        } catch (e) {
          if (e instanceof Error && /registry/.test(e.message)) return; // IDs this dialect cannot carry: the CLI refuses them in one line
          throw e;
        }
        const file = join(dir, `${ran}.json`);
        writeFileSync(file, JSON.stringify(t));
        try {
          const r = await runConformance({ role: "host", target: server.url, dialect: file, runs: 2, seed: ran, "timeout-ms": 2000, merchant, out: join(dir, `out-${ran}`) });
          const alarms = r.result.properties.filter((p) => p.verdict === "fail" || p.verdict === "flaky").map((p) => p.id);
          assert.deepEqual(alarms, [], `over TCP under ${base} + ${changes.join(", ")}: the correct reference host failed`);
        } catch (e) {
          if (!(e instanceof UsageError || e instanceof DialectError)) throw new Error(`over TCP under ${base} + ${changes.join(", ")} crashed: ${(e as Error).stack}`);
          assert.ok(!e.message.includes("\n"), e.message);
          // The kit's own IDs are checked before it connects; a refusal after that would blame the host.
          assert.match(e.message, /does not fit field 4[12]/, `over TCP under ${base} + ${changes.join(", ")}: ${e.message}`);
        } finally {
          await server.close();
        }
        ran++;
      }),
      { numRuns: 30, seed: 20261204 },
    );
    assert.ok(ran >= 8, `only ${ran} variants ran over TCP`);
  });
});
