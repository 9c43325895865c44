import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import fc from "fast-check";
import { binary2 } from "../../src/link/binary2.js";
import { Link } from "../../src/link/link.js";
import { memoryTransportPair } from "../../src/link/memoryTransport.js";
import { VirtualClock } from "../../src/link/virtualClock.js";
import { DIRECTIONS, messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { parseTraceJsonl, readTraceJsonl, TRACE_FORMAT, writeTraceJsonl } from "../../src/trace/traceFile.js";
import { TraceRecorder } from "../../src/trace/traceRecorder.js";
import { cup, MAC, PAN, packed, purchaseRequest, purchaseResponse, TRACK2 } from "./support/cupMessages.js";

/** A trace of one purchase over memory links: a request, its approval, the disconnect. */
async function purchaseTrace(): Promise<TraceEvent[]> {
  const clock = new VirtualClock();
  const [a, b] = memoryTransportPair();
  const kit = new Link(a, { framing: binary2(), clock });
  const sut = new Link(b, { framing: binary2(), clock });
  const recorder = new TraceRecorder({ dialect: cup, clock });
  recorder.connect(kit);
  recorder.attach(kit);
  recorder.step(0, "purchase(5.00)");
  await kit.send(packed(purchaseRequest()));
  await sut.send(packed(purchaseResponse()));
  await clock.advance(120);
  await kit.close();
  await sut.close();
  return recorder.events;
}

describe("trace files", () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "isoconf-trace-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("masked by default: no PAN or track digits anywhere in the text, MAC visible", async () => {
    const events = await purchaseTrace();
    assert.ok(JSON.stringify(events).includes(PAN), "the recorder keeps card data in memory");
    await writeTraceJsonl(file("t.jsonl"), events, { dialect: cup });
    const text = readFileSync(file("t.jsonl"), "utf8");
    // The PAN's hidden middle digits, and the track's expiry and discretionary data.
    for (const secret of [PAN, PAN.slice(5, 12), TRACK2.slice(16)]) {
      assert.ok(!text.includes(secret), `${secret} leaked into the file`);
    }
    assert.equal(text.split(MAC).length - 1, 4, "the MAC stays, in the message and the hex of both frames");
    assert.deepEqual(JSON.parse(text.split("\n")[0]), { format: TRACE_FORMAT, dialect: "cup", masked: true, events: 5 });
    const { events: back } = await readTraceJsonl(file("t.jsonl"));
    assert.equal(messageOf(back[2])?.fields["2"], "622588******5678");
    assert.equal(messageOf(back[2])?.fields["11"], "000123");
    assert.equal(messageOf(back[3])?.fields["39"], "00");
  });

  it("round trip: write then read gives the same events and header", async () => {
    const events = await purchaseTrace();
    const startedAt = new Date("2026-11-26T09:30:00.000Z");
    await writeTraceJsonl(file("t.jsonl"), events, { dialect: cup, mask: false, startedAt });
    assert.deepEqual(await readTraceJsonl(file("t.jsonl")), {
      header: { format: TRACE_FORMAT, dialect: "cup", masked: false, events: 5, startedAt: "2026-11-26T09:30:00.000Z" },
      events,
    });
    assert.equal(events[4].t, 120);
  });

  it("property: any events round-trip through a file", async () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean());
    const params = fc.dictionary(fc.string(), value, { noNullPrototype: true });
    const fieldNumber = fc.integer({ min: 2, max: 128 }).map(String);
    const bytes = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("hex").toUpperCase());
    const message = fc.record({ mti: fc.string(), fields: fc.dictionary(fieldNumber, fc.string(), { noNullPrototype: true }) }, { noNullPrototype: true });
    const opts = { noNullPrototype: true } as const;
    // Each kind with what it carries (a detail's required keys, then any parameters beside them).
    const own = fc.oneof(
      fc.record({ kind: fc.constant("frame"), bytes, message }, { ...opts, requiredKeys: ["kind", "bytes"] }),
      fc.record({ kind: fc.constant("keepalive") }, opts),
      fc.record({ kind: fc.constant("link-error"), bytes, detail: fc.record({ code: fc.string(), reason: fc.string(), fatal: fc.boolean() }, opts) }, opts),
      fc.record({ kind: fc.constant("connect"), detail: fc.record({ peer: fc.string() }, opts) }, opts),
      fc.record({ kind: fc.constant("disconnect"), detail: fc.record({ reason: fc.string() }, opts) }, opts),
      fc.record({ kind: fc.constant("fault"), detail: fc.tuple(params, fc.string()).map(([p, fault]) => ({ ...p, fault })) }, opts),
      fc.record({ kind: fc.constant("timeout"), detail: params }, opts),
      fc.record({ kind: fc.constant("control"), detail: fc.tuple(params, fc.string()).map(([p, op]) => ({ ...p, op })) }, opts),
      fc.record({ kind: fc.constant("step"), text: fc.string() }, opts),
      fc.record({ kind: fc.constant("note"), text: fc.string(), detail: params }, { ...opts, requiredKeys: ["kind", "text"] }),
    );
    const common = fc.record(
      { t: fc.double({ min: 0, max: 1e9, noNaN: true }), dir: fc.constantFrom(...DIRECTIONS), step: fc.nat(), conn: fc.string(), text: fc.string() },
      { ...opts, requiredKeys: ["t", "dir"] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(common, own), { maxLength: 8 }), async (drafts) => {
        const events = drafts.map(([c, o], seq) => ({ seq, ...c, ...o }) as TraceEvent);
        await writeTraceJsonl(file("p.jsonl"), events, { dialect: cup, mask: false });
        assert.deepEqual((await readTraceJsonl(file("p.jsonl"))).events, events);
      }),
      { numRuns: 60 },
    );
  });

  it("writes to a stream and leaves it open, in chunks when the trace is large", async () => {
    const events = Array.from({ length: 3000 }, (_, seq): TraceEvent => ({ seq, t: seq, dir: "kit", kind: "note", text: "x".repeat(40) }));
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
    await writeTraceJsonl(out, events, { dialect: cup });
    assert.ok(chunks.length > 1, "written in more than one chunk");
    assert.equal(out.writableEnded, false);
    assert.deepEqual(parseTraceJsonl(chunks.join("")).events, events);
  });

  it("a stream whose reader stalls fails after the deadline; a failing stream fails with its error", async () => {
    const stalled = new Writable({ write: () => {} });
    await assert.rejects(writeTraceJsonl(stalled, [], { dialect: cup, deadlineMs: 20 }), {
      name: "TraceFileError",
      message: "trace output took no data for 20 ms: expected its reader to keep reading",
    });
    const broken = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error("disk full")) });
    await assert.rejects(writeTraceJsonl(broken, [], { dialect: cup }), { message: "cannot write the trace: disk full" });
  });

  it("a path it cannot write is a TraceFileError naming it", async () => {
    const path = file("missing/t.jsonl");
    await assert.rejects(writeTraceJsonl(path, [], { dialect: cup }), {
      name: "TraceFileError",
      message: new RegExp(`^cannot write trace file ${path}: ENOENT`),
    });
    await assert.rejects(readTraceJsonl(path), { message: new RegExp(`^cannot read trace file ${path}: ENOENT`) });
  });

  describe("bad input: an error naming the line and what was expected, never a crash", () => {
    const header = (events: number) => JSON.stringify({ format: TRACE_FORMAT, dialect: "cup", masked: true, events });
    const note = (seq: number) => JSON.stringify({ seq, t: 0, dir: "kit", kind: "note", text: "n" });
    const cases: Array<[name: string, text: string, message: string]> = [
      // The header
      ["empty file", "", `t.jsonl: empty file: expected a header line {"format":"${TRACE_FORMAT}",…}`],
      ["header not JSON", "hello\n", `t.jsonl line 1: not JSON (Unexpected token 'h', "hello" is not valid JSON): expected the header {"format":"${TRACE_FORMAT}",…}`],
      ["another format", '{"format":"pcap"}\n', `t.jsonl line 1: format is "pcap": expected "${TRACE_FORMAT}" (is this an isoconf trace file?)`],
      ["header not an object", "[1]\n", `t.jsonl line 1: format is undefined: expected "${TRACE_FORMAT}" (is this an isoconf trace file?)`],
      [
        "header missing keys",
        `{"format":"${TRACE_FORMAT}","dialect":"cup"}\n`,
        "t.jsonl line 1: masked: Invalid input: expected boolean, received undefined; events: Invalid input: expected number, received undefined",
      ],
      // Events
      [
        "unknown kind",
        `${header(1)}\n{"seq":0,"t":0,"dir":"kit","kind":"party"}\n`,
        "t.jsonl line 2: kind: Invalid discriminator value. Expected 'frame' | 'keepalive' | 'link-error' | 'connect' | 'disconnect' | 'fault' | 'timeout' | 'control' | 'step' | 'note'",
      ],
      [
        "lower-case bytes",
        `${header(1)}\n{"seq":0,"t":0,"dir":"sut→kit","kind":"frame","bytes":"0a"}\n`,
        "t.jsonl line 2: bytes: expected upper-case hex, two characters a byte, * where masked",
      ],
      ["an unknown key", `${header(1)}\n{"seq":0,"t":0,"dir":"kit","kind":"note","text":"x","colour":"red"}\n`, 't.jsonl line 2: (the object): Unrecognized key: "colour"'],
      ["an array line", `${header(1)}\n[]\n`, "t.jsonl line 2: (the object): Invalid input: expected object, received array"],
      [
        "a field key that is not a number",
        `${header(1)}\n{"seq":0,"t":0,"dir":"kit→sut","kind":"frame","bytes":"","message":{"mti":"0200","fields":{"pan":"x"}}}\n`,
        "t.jsonl line 2: message.fields.pan: expected a field number as the key",
      ],
      ["detail not an object", `${header(1)}\n{"seq":0,"t":0,"dir":"kit","kind":"fault","detail":[1]}\n`, "t.jsonl line 2: detail: expected an object with fault (string)"],
      ["a fault without its name", `${header(1)}\n{"seq":0,"t":0,"dir":"kit","kind":"fault","detail":{"stan":"000001"}}\n`, "t.jsonl line 2: detail: expected an object with fault (string)"],
      ["a frame without bytes", `${header(1)}\n{"seq":0,"t":0,"dir":"sut→kit","kind":"frame"}\n`, "t.jsonl line 2: bytes: Invalid input: expected string, received undefined"],
      ["seq out of order", `${header(2)}\n${note(0)}\n${note(2)}\n`, "t.jsonl line 3: seq is 2: expected 1 (events in order from 0)"],
      ["an empty line", `${header(2)}\n${note(0)}\n\n${note(1)}\n`, "t.jsonl line 3: empty line: expected a trace event object, one JSON object per line"],
      // Truncation
      [
        "last line cut short",
        `${header(2)}\n${note(0)}\n${note(1).slice(0, 20)}`,
        "t.jsonl line 3: the file ends inside this line (truncated?): expected a trace event object and a newline",
      ],
      [
        "lines missing",
        `${header(3)}\n${note(0)}\n${note(1)}\n`,
        "t.jsonl: the header announces 3 events and the file has 2: expected all of them (truncated?)",
      ],
      ["binary garbage", "\u0000\u00ff\u0001PK\u0003\u0004", `t.jsonl line 1: the file ends inside this line (truncated?): expected the header {"format":"${TRACE_FORMAT}",…} and a newline`],
    ];
    for (const [name, text, message] of cases) {
      it(name, async () => {
        writeFileSync(file("t.jsonl"), text);
        await assert.rejects(readTraceJsonl(file("t.jsonl")), (error: Error) => {
          assert.equal(error.name, "TraceFileError");
          assert.equal(error.message, message.replace(/^t\.jsonl/, file("t.jsonl")));
          return true;
        });
      });
    }

    it("property: arbitrary text never throws anything but a TraceFileError", () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.constant(`${header(1)}\n`).chain((h) => fc.string().map((s) => h + s))), (text) => {
          try {
            parseTraceJsonl(text);
          } catch (error) {
            assert.equal((error as Error).name, "TraceFileError", String(error));
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
