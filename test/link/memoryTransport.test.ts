import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import { ControlChannel } from "../../src/link/controlChannel.js";
import { Link, type LinkOptions, type Transport } from "../../src/link/link.js";
import { memoryTransportPair } from "../../src/link/memoryTransport.js";
import { stxEtx } from "../../src/link/stxEtx.js";
import { VirtualClock } from "../../src/link/virtualClock.js";
import { hex } from "./support/deframeAll.js";

const DEADLINE = { deadlineMs: 2000 };
const framing = binary2();

async function receiveBody(link: Link, deadlineMs = DEADLINE.deadlineMs): Promise<string> {
  const result = await link.receive({ deadlineMs });
  assert.equal(result.kind, "frame", JSON.stringify(result));
  return result.kind === "frame" ? result.body.toString() : "";
}

describe("memoryTransportPair", () => {
  let links: Link[];
  /** Two Links over a fresh pair, closed after the test; the transports too, to look at their streams. */
  const pair = (options: Partial<LinkOptions> = {}): [Link, Link, Transport, Transport] => {
    const [a, b] = memoryTransportPair();
    const made: [Link, Link] = [new Link(a, { framing, ...options }), new Link(b, { framing, ...options })];
    links.push(...made);
    return [...made, a, b];
  };
  beforeEach(() => (links = []));
  afterEach(async () => {
    await Promise.all(links.map((link) => link.close()));
  });

  it("carries framed bytes both ways between two Links, peers named after the other end", async () => {
    const [a, b] = memoryTransportPair(["terminal", "host"]);
    assert.equal(a.peer, "memory:host");
    assert.equal(b.peer, "memory:terminal");
    const kit = new Link(a, { framing });
    const sut = new Link(b, { framing });
    links.push(kit, sut);
    const wire: Buffer[] = [];
    b.stream.on("data", (chunk: Buffer) => wire.push(chunk));
    await kit.send(Buffer.from("0800 sign-on"));
    assert.equal(await receiveBody(sut), "0800 sign-on");
    assert.deepEqual(wire, [framing.encode(Buffer.from("0800 sign-on"))], "the bytes went through the framing");
    await sut.send(Buffer.from("0810 approved"));
    assert.equal(await receiveBody(kit), "0810 approved");
    assert.deepEqual(memoryTransportPair().map((t) => t.peer), ["memory:sut", "memory:kit"]);
  });

  it("a body the framing refuses rejects the send, and nothing is written", async () => {
    const [kit, , , b] = pair();
    let written = 0;
    b.stream.on("data", () => written++);
    kit.on("sent", () => written++);
    await assert.rejects(kit.send(Buffer.alloc(framing.maxFrame + 1)), {
      code: "invalid_frame",
      message: "binary2 body is 8193 bytes; expected at most 8192 (maxFrame)",
    });
    assert.equal(written, 0);
  });

  it("keeps order and loses nothing while the receiver stops reading (flow control)", async () => {
    const [kit, sut] = pair();
    const count = 5000;
    const sending = Promise.all(Array.from({ length: count }, (_, i) => kit.send(Buffer.from(String(i)))));
    for (let i = 0; i < count; i++) assert.equal(await receiveBody(sut), String(i));
    await sending;
  });

  it("closing one side: frames already sent arrive, then the other side closes with peer closed", async () => {
    const [kit, sut, a, b] = pair();
    const reasons: string[] = [];
    sut.on("disconnect", (reason) => reasons.push(reason));
    await kit.send(Buffer.from("last words"));
    await kit.close();
    assert.equal(kit.closeReason, "local close");
    assert.equal(await receiveBody(sut), "last words");
    assert.deepEqual(await sut.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
    assert.deepEqual(reasons, ["peer closed"]);
    await assert.rejects(sut.send(Buffer.from("x")), { code: "closed", message: `link ${sut.id} is closed (peer closed)` });
    await sut.close();
    assert.ok(a.stream.destroyed && b.stream.destroyed, "both ends released");
  });

  it("a transport destroyed abruptly reads as peer closed on the other side", async () => {
    const [, sut, a] = pair();
    a.stream.destroy();
    assert.deepEqual(await sut.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
  });

  it("sends held back by a peer that stopped reading fail with peer closed when it goes away", async () => {
    const [kit, , a, b] = pair();
    const body = Buffer.alloc(1000);
    const sends = Array.from({ length: 200 }, () => kit.send(body).then(() => "sent", (e: Error) => e.message));
    while (!a.stream.writableNeedDrain) await new Promise(setImmediate);
    b.stream.destroy();
    const outcomes = new Set(await Promise.all(sends));
    assert.deepEqual([...outcomes].sort(), [`link ${kit.id} closed (peer closed) before the bytes were written`, "sent"]);
  });

  it("a malformed frame sent raw goes through the peer's deframer: fatal error, both sides close", async () => {
    const [kit, sut] = pair();
    const errors: string[] = [];
    sut.on("error", (event) => errors.push(event.code));
    await kit.sendRaw(hex("FF FF 01 02"));
    assert.deepEqual(await sut.receive(DEADLINE), {
      kind: "closed",
      reason: "framing error: length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)",
    });
    assert.deepEqual(errors, ["above_max_frame"]);
    assert.deepEqual(await kit.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
  });

  describe("on a VirtualClock", () => {
    let clock: VirtualClock;
    beforeEach(() => {
      clock = new VirtualClock();
      clock.start();
    });
    afterEach(() => clock.stop());

    it("a 30 s receive deadline runs out in virtual time", async () => {
      const [, sut] = pair({ clock });
      const started = performance.now();
      assert.deepEqual(await sut.receive({ deadlineMs: 30_000 }), { kind: "timeout" });
      assert.equal(clock.now(), 30_000);
      assert.ok(performance.now() - started < 5_000, `took ${performance.now() - started} ms: virtual time, far under the 30 s simulated`);
    });

    it("request/response exchanges with 30 s deadlines cost no virtual time", async () => {
      const [kit, sut] = pair({ clock });
      const host = (async () => {
        for (;;) {
          const request = await sut.receive({ deadlineMs: 30_000 });
          if (request.kind !== "frame") return request.kind;
          await sut.send(Buffer.from(`re ${request.body}`));
        }
      })();
      for (let i = 0; i < 500; i++) {
        await kit.send(Buffer.from(String(i)));
        assert.equal(await receiveBody(kit, 30_000), `re ${i}`);
      }
      assert.equal(clock.now(), 0);
      await kit.close();
      assert.equal(await host, "closed");
    });

    it("a send the peer does not read times out after sendDeadlineMs of virtual time", async () => {
      const [kit] = pair({ clock, sendDeadlineMs: 10_000 });
      const body = Buffer.alloc(1000);
      // The peer consumes nothing: past 1024 unread events it stops reading, then its buffer fills.
      let failure: unknown;
      for (let i = 0; i < 5000 && failure === undefined; i++) {
        await kit.send(body).catch((error: unknown) => (failure = error));
      }
      assert.equal((failure as { code?: string }).code, "send_timeout", String(failure));
      assert.equal(clock.now(), 10_000);
    });

    it("ControlChannel resends on Timeout1 of virtual time, then gives up", async () => {
      const [a, b] = memoryTransportPair();
      const control = new ControlChannel(new Link(a, { framing: stxEtx(), clock }), { ackTimeoutMs: 2000, resends: 2 });
      const silent = new Link(b, { framing: stxEtx(), clock });
      links.push(silent);
      await assert.rejects(control.send('{"cmd":"status"}'), {
        code: "not_acknowledged",
        message: "control frame not acknowledged after 3 attempts (no answer in 2000 ms, no answer in 2000 ms, no answer in 2000 ms)",
      });
      assert.equal(clock.now(), 6000);
      await control.close();
    });
  });
});
