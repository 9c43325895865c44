import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dumpFrame, renderFrameDump } from "../../reports/frameDump.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { Iso8583Error } from "../../src/iso8583/errors.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import type { TraceEvent } from "../../src/trace/traceEvent.js";
import { writeTraceJsonl } from "../../src/trace/traceFile.js";
import { cardNumbersIn, luhnValid, secretsIn } from "../helpers/cardScan.js";
import { runCli } from "../helpers/cli.js";

// Hostile frames: a purchase carrying a card number, track 2 and a PIN block, cut at every byte
// and corrupted at every byte, through every output that shows a frame. With masking on, none
// may show the card data in any form; with --no-mask the same scan finds it (the scan can fail).
const PAN = "4761739001010119";
const TRACK2 = `${PAN}D2512101`;
const PIN_BLOCK = "8E1A4F77C20B39D5";

function purchase(d: Dialect): Buffer {
  const track = d.fields[35]!.spec.data_encoding === "ascii" ? TRACK2.replace("D", "=") : TRACK2;
  return pack(d, {
    mti: "0200",
    ...(d.name === "cup" ? { header: "6000030000603100000000" } : {}),
    fields: { "2": PAN, "3": "000000", "4": "000000000500", "11": "000123", "22": "021", "25": "00", "35": track, "41": "TERM0001", "42": "123456789012345", "49": "156", "52": PIN_BLOCK },
  });
}

/** The frame cut at every length, and with each byte in turn replaced by 0xFF. */
function hostile(frame: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let n = 0; n < frame.length; n++) out.push(frame.subarray(0, n));
  for (let i = 0; i < frame.length; i++) {
    const bad = Buffer.from(frame);
    bad[i] = 0xff;
    out.push(bad);
  }
  return out;
}

/** A frame event as the recorder writes it: the message when it decodes, else the error. */
function frameEvent(d: Dialect, bytes: Buffer, seq: number): TraceEvent {
  const event: TraceEvent = { seq, t: 0, dir: "sut→kit", kind: "frame", bytes: bytes.toString("hex").toUpperCase() };
  try {
    event.message = unpack(d, bytes);
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    event.decodeError = { field: e.field, offset: e.offset, kind: e.kind, reason: e.reason };
  }
  return event;
}

const secrets = [PAN, PAN.slice(0, 12), PAN.slice(4), PIN_BLOCK, "2512101"];

function assertClean(what: string, text: string) {
  assert.deepEqual(cardNumbersIn(text), [], `${what}: a card number in the output:\n${text}`);
  assert.deepEqual(secretsIn(text, secrets), [], `${what}: card data in the output`);
}

describe("no card data in any output of hostile frames, masking on", function () {
  this.timeout(120_000);
  before(() => assert.ok(luhnValid(PAN), "the test's PAN must pass the Luhn check, or the scan proves nothing"));

  for (const name of ["cup", "iso87ascii", "iso87binary"]) {
    describe(name, () => {
      const d = builtinDialect(name);
      const frame = purchase(d);
      const frames = hostile(frame);

      it("the frame table (isoconf decode's view) of each", () => {
        for (const f of frames) assertClean(`${f.length} bytes`, renderFrameDump(dumpFrame(d, f, true)));
        assert.ok(cardNumbersIn(renderFrameDump(dumpFrame(d, frame.subarray(0, frame.length - 1), false))).length > 0, "--no-mask shows the PAN");
      });

      it("the masked trace file of them all", async () => {
        const file = join(mkdtempSync(join(tmpdir(), "isoconf-leak-")), "t.jsonl");
        await writeTraceJsonl(file, frames.map((f, i) => frameEvent(d, f, i)), { dialect: d });
        assertClean("trace", readFileSync(file, "utf8"));
      });

      it("isoconf decode: --hex-lines (table and --json), and --hex cut in the bitmap, in field 2 and past it", () => {
        const lines = frames.map((f) => f.toString("hex")).join("\n");
        for (const json of [[], ["--json"]]) assertClean(`--hex-lines ${json}`, runCli(["decode", "-d", name, "--hex-lines", ...json], lines).stdout);
        const header = name === "cup" ? 11 : 0;
        for (const cut of [header + 5, header + 14, frame.length - 4]) {
          const r = runCli(["decode", "-d", name, "--hex", frame.subarray(0, cut).toString("hex")]);
          assertClean(`--hex of ${cut} bytes`, r.stdout + r.stderr);
        }
        // Most hostile lines answer only with their error, so the control adds the intact frame.
        const clear = runCli(["decode", "-d", name, "--no-mask", "--hex-lines"], `${lines}\n${frame.toString("hex")}`);
        assert.ok(secretsIn(clear.stdout, secrets).length > 0, "--no-mask shows the card data, so the scan can fail");
      });
    });
  }
});
