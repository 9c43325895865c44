import assert from "node:assert/strict";
import { ascii4 } from "../../src/link/ascii4.js";
import { binary2 } from "../../src/link/binary2.js";
import { realClock } from "../../src/link/clock.js";
import { Link, type LinkOptions } from "../../src/link/link.js";
import { memoryTransportPair } from "../../src/link/memoryTransport.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { tcpListen } from "../../src/link/tcpListen.js";
import { VirtualClock } from "../../src/link/virtualClock.js";
import { bytesOf, decodeErrorOf, detailOf, messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { TraceRecorder } from "../../src/trace/traceRecorder.js";
import { sendInSegments } from "../../src/link/sendInSegments.js";
import { hex } from "../link/support/deframeAll.js";
import { cup, packed, purchaseRequest, purchaseResponse } from "./support/cupMessages.js";

const DEADLINE = { deadlineMs: 2000 };
const framing = binary2();

/** Events without their timing, to compare with an expected list. */
const untimed = (events: TraceEvent[]) => events.map(({ t: _t, ...rest }) => rest);

/** Two Links over memory: the kit's end first. */
function memoryLinks(options: Partial<LinkOptions> = {}): [Link, Link] {
  const [a, b] = memoryTransportPair();
  return [new Link(a, { framing, ...options }), new Link(b, { framing, ...options })];
}

describe("TraceRecorder", () => {
  it("over TCP loopback: connect, step, a request and its answer decoded, a bad frame, the disconnect", async () => {
    const listener = await tcpListen({ framing });
    try {
      const kit = await tcpConnect(listener.address(), { framing });
      const accepted = await listener.accept(DEADLINE);
      assert.equal(accepted.kind, "connection");
      const sut = (accepted as { link: Link }).link;
      const recorder = new TraceRecorder({ dialect: cup, clock: realClock });
      recorder.connect(kit);
      recorder.attach(kit);
      recorder.step(0, "purchase(5.00)");
      await kit.send(packed(purchaseRequest()));
      const request = await sut.receive(DEADLINE);
      assert.equal(request.kind, "frame");
      await sut.send(packed(purchaseResponse()));
      assert.equal((await kit.receive(DEADLINE)).kind, "frame");
      await sut.send(Buffer.from("6000030000", "hex")); // a header cut short: no MTI
      assert.equal((await kit.receive(DEADLINE)).kind, "frame");
      await sut.sendRaw(hex("FF FF")); // a length no frame may have: fatal, the kit's link closes
      assert.deepEqual(await kit.receive(DEADLINE), {
        kind: "closed",
        reason: "framing error: length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)",
      });

      const conn = "c1";
      assert.deepEqual(untimed(recorder.events), [
        { seq: 0, dir: "kit", kind: "connect", conn, detail: { peer: kit.peer } },
        { seq: 1, dir: "kit", kind: "step", step: 0, text: "purchase(5.00)" },
        {
          seq: 2,
          dir: "kit→sut",
          kind: "frame",
          step: 0,
          conn,
          bytes: packed(purchaseRequest()).toString("hex").toUpperCase(),
          message: { ...purchaseRequest(), header: "6000030000603100000000" },
        },
        {
          seq: 3,
          dir: "sut→kit",
          kind: "frame",
          step: 0,
          conn,
          bytes: packed(purchaseResponse()).toString("hex").toUpperCase(),
          message: { ...purchaseResponse(), header: "6000030000603100000000" },
        },
        {
          seq: 4,
          dir: "sut→kit",
          kind: "frame",
          step: 0,
          conn,
          bytes: "6000030000",
          decodeError: { field: "h", offset: 0, kind: "truncated", reason: "header is 5 bytes, expecting 11" },
        },
        {
          seq: 5,
          dir: "sut→kit",
          kind: "link-error",
          step: 0,
          conn,
          bytes: "FFFF",
          detail: {
            code: "above_max_frame",
            reason: "length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)",
            fatal: true,
          },
        },
        {
          seq: 6,
          dir: "kit",
          kind: "disconnect",
          step: 0,
          conn,
          detail: { reason: "framing error: length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)" },
        },
      ]);
      const times = recorder.events.map((event) => event.t);
      assert.deepEqual([...times].sort((x, y) => x - y), times, "t never goes back");
      assert.ok(times[0] >= 0 && times[6] < 2000);
    } finally {
      await listener.close();
    }
  });

  describe("over memory links on a VirtualClock", () => {
    let clock: VirtualClock;
    beforeEach(() => {
      clock = new VirtualClock({ startAt: 5000 });
      clock.start();
    });
    afterEach(() => clock.stop());

    it("times events on the virtual clock from startedAt, and records kit events", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      recorder.attach(kit);
      recorder.step(3, "purchase(5.00)+drop");
      recorder.fault({ fault: "drop" }, "the kit discards the answer");
      await kit.send(packed(purchaseRequest()));
      assert.deepEqual(await kit.receive({ deadlineMs: 30_000 }), { kind: "timeout" });
      recorder.timeout({ waitedMs: 30_000, stan: "000123" });
      recorder.control({ op: "status", result: { outcome: "approved" } }, "terminal idle");
      recorder.note("checked totals");
      await kit.close();
      assert.deepEqual(
        recorder.events.map((event) => [event.t, event.kind, event.dir, event.step]),
        [
          [0, "step", "kit", 3],
          [0, "fault", "kit", 3],
          [0, "frame", "kit→sut", 3],
          [30_000, "timeout", "kit", 3],
          [30_000, "control", "kit", 3],
          [30_000, "note", "kit", 3],
          [30_000, "disconnect", "kit", 3],
        ],
      );
      assert.deepEqual(detailOf(recorder.events[1]), { fault: "drop" });
      assert.deepEqual(detailOf(recorder.events[3]), { waitedMs: 30_000, stan: "000123" });
      assert.deepEqual(detailOf(recorder.events[6]), { reason: "local close" });
      await sut.close();
    });

    it("records sendRaw bytes as the peer deframes them: a bad body, a frame cut short, a bad header", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock, startedAt: 0 });
      recorder.attach(kit);
      const request = packed(purchaseRequest());
      const whole = framing.encode(request);
      await kit.sendRaw(Buffer.concat([framing.encode(request.subarray(0, 20)), whole.subarray(0, 30)]));
      // On a link of its own: on this one, bytes after a frame cut short are its continuation.
      const [kit2, sut2] = memoryLinks({ clock });
      recorder.attach(kit2);
      await kit2.sendRaw(hex("FF FF"));
      assert.deepEqual(
        recorder.events.slice(0, 3).map((event) => [event.t, event.dir, event.kind, decodeErrorOf(event)?.kind ?? detailOf(event)?.code]),
        [
          [5000, "kit→sut", "frame", "truncated"],
          [5000, "kit→sut", "link-error", "partial_frame"],
          [5000, "kit→sut", "link-error", "above_max_frame"],
        ],
      );
      assert.equal(bytesOf(recorder.events[1]), whole.subarray(0, 30).toString("hex").toUpperCase());
      assert.deepEqual(detailOf(recorder.events[1]), { code: "partial_frame", reason: "the bytes sent end mid-frame", fatal: false });
      await Promise.all([kit.close(), sut.close(), kit2.close(), sut2.close()]);
    });

    it("a frame sent in segments (sendInSegments): each piece that ends mid-frame is a partial frame, the last one records the frame whole", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock, startedAt: 5000 });
      recorder.attach(kit);
      const chunks: number[] = [];
      sut.on("data", (chunk) => chunks.push(chunk.length));
      const request = packed(purchaseRequest());
      const whole = framing.encode(request);
      assert.deepEqual(await sendInSegments(kit, whole, [2, 30, 30, whole.length + 5], 40), [2, 28, whole.length - 30]);
      assert.deepEqual(await sut.receive(DEADLINE).then((got) => got.kind === "frame" && got.body.equals(request)), true);
      // The peer read three chunks, 40 ms apart, and one frame out of them.
      assert.deepEqual(chunks, [2, 28, whole.length - 30]);
      assert.deepEqual(
        recorder.events.map((event) => [event.t, event.kind, messageOf(event)?.mti ?? detailOf(event)?.code, bytesOf(event)?.length]),
        [
          [0, "link-error", "partial_frame", 4],
          [40, "link-error", "partial_frame", 60],
          [80, "frame", "0200", request.length * 2],
        ],
      );
      await Promise.all([kit.close(), sut.close()]);
    });

    it("records keep-alives, and the SUT's end with the directions swapped", async () => {
      const [kit, sut] = memoryLinks({ clock, framing: ascii4() });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      recorder.attach(sut, { sent: "sut→kit", received: "kit→sut" });
      await kit.sendRaw(Buffer.from("0000"));
      await kit.send(packed(purchaseRequest()));
      assert.equal((await sut.receive(DEADLINE)).kind, "frame");
      await sut.send(packed(purchaseResponse()));
      assert.deepEqual(
        recorder.events.map((event) => [event.dir, event.kind, event.conn, messageOf(event)?.mti]),
        [
          ["kit→sut", "keepalive", "c1", undefined],
          ["kit→sut", "frame", "c1", "0200"],
          ["sut→kit", "frame", "c1", "0210"],
        ],
      );
      await Promise.all([kit.close(), sut.close()]);
    });

    it("numbers connections per trace, c1, c2, … in the order it first meets them, whatever links came before", async () => {
      const [earlier, earlierPeer] = memoryLinks({ clock }); // opened before: the process-wide Link.id has moved on
      const [first, firstPeer] = memoryLinks({ clock });
      const [second, secondPeer] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      recorder.connect(second);
      recorder.attach(second);
      recorder.attach(first);
      recorder.connect(first);
      assert.equal(recorder.connOf(second), "c1");
      assert.equal(recorder.connOf(first), "c2");
      await first.send(packed(purchaseRequest()));
      await second.send(packed(purchaseRequest("000124")));
      assert.deepEqual(
        recorder.events.map((event) => [event.kind, event.conn]),
        [
          ["connect", "c1"],
          ["connect", "c2"],
          ["frame", "c2"],
          ["frame", "c1"],
        ],
      );
      recorder.clear();
      await first.send(packed(purchaseRequest("000125")));
      assert.deepEqual(recorder.events.map((event) => event.conn), ["c1"], "after clear(), a link still attached is named in the new trace");
      const again = new TraceRecorder({ dialect: cup, clock });
      again.attach(first);
      assert.equal(again.connOf(first), "c1", "a new trace counts from c1 again");
      await Promise.all([earlier, earlierPeer, first, firstPeer, second, secondPeer].map((link) => link.close()));
    });

    // A frame is decoded after it is recorded (off the path to the next request): from the bytes
    // it had then, whatever becomes of its Buffer, and never into a trace begun since.
    it("decodes each frame from the bytes it had when recorded, in time for any read of the events", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      recorder.attach(kit);
      const body = packed(purchaseRequest("000201"));
      const sent = Buffer.from(body);
      await kit.send(body);
      body.fill(0x39); // the kit's Buffer reused at once: the trace keeps what went out
      const held = recorder.events;
      await kit.send(packed(purchaseRequest("000202")));
      assert.equal(held.length, 1, "an array read before is a copy: no frame appears in it undecoded");
      const [frame] = recorder.events;
      assert.equal(bytesOf(frame), sent.toString("hex").toUpperCase());
      assert.equal(messageOf(frame)?.fields["11"], "000201");
      assert.equal(messageOf(recorder.events[1])?.fields["11"], "000202");
      await kit.send(Buffer.from("6000030000", "hex"));
      recorder.clear();
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(recorder.events, [], "a frame of the cleared trace is not decoded into the new one");
      await kit.send(Buffer.from("6000030000", "hex"));
      assert.equal(decodeErrorOf(recorder.events[0])?.kind, "truncated");
      await Promise.all([kit.close(), sut.close()]);
    });

    it("decodes a received frame once for the trace and a reader of the same body (decodedFrame)", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      recorder.attach(kit);
      await sut.send(packed(purchaseResponse()));
      await sut.send(Buffer.from("6000030000", "hex"));
      const answer = await kit.receive(DEADLINE);
      const cut = await kit.receive(DEADLINE);
      assert.ok(answer.kind === "frame" && cut.kind === "frame");
      const message = recorder.decodedFrame(cup, answer.body);
      assert.equal(message?.mti, "0210");
      assert.equal(recorder.decodedFrame(cup, cut.body), undefined, "a frame that does not decode");
      const [first, second] = recorder.events;
      assert.equal(messageOf(first), message, "the trace holds the decoding the reader got");
      assert.equal(decodeErrorOf(second)?.kind, "truncated");
      const unrecorded = packed(purchaseResponse());
      assert.deepEqual(recorder.decodedFrame(cup, unrecorded), message, "a body it did not record is decoded for the caller");
      assert.equal(recorder.events.length, 2);
      await Promise.all([kit.close(), sut.close()]);
    });

    it("stops recording a link once detached; clear() starts a new trace", async () => {
      const [kit, sut] = memoryLinks({ clock });
      const recorder = new TraceRecorder({ dialect: cup, clock });
      const detach = recorder.attach(kit);
      recorder.step(1, "one");
      await kit.send(packed(purchaseRequest()));
      detach();
      await kit.send(packed(purchaseRequest("000124")));
      assert.deepEqual(recorder.events.map((event) => event.kind), ["step", "frame"]);
      await clock.sleep(250);
      recorder.clear();
      assert.equal(recorder.currentStep, undefined);
      const note = recorder.note("fresh");
      assert.deepEqual(note, { seq: 0, t: 0, dir: "kit", kind: "note", text: "fresh" });
      assert.deepEqual(recorder.events, [note]);
      await Promise.all([kit.close(), sut.close()]);
    });
  });
});
