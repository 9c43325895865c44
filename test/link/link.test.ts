import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import fc from "fast-check";
import { ascii4 } from "../../src/link/ascii4.js";
import { bcd2 } from "../../src/link/bcd2.js";
import { binary2 } from "../../src/link/binary2.js";
import type { Framing } from "../../src/link/framing.js";
import type { Link, LinkEvent } from "../../src/link/link.js";
import { stxEtx } from "../../src/link/stxEtx.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { type Listener, tcpListen } from "../../src/link/tcpListen.js";
import { deframeAll, splitAt } from "./support/deframeAll.js";
import { RawPeer } from "./support/rawPeer.js";

const DEADLINE = { deadlineMs: 2000 };

async function acceptLink(listener: Listener): Promise<Link> {
  const accepted = await listener.accept(DEADLINE);
  assert.equal(accepted.kind, "connection");
  return (accepted as { link: Link }).link;
}

async function receiveBody(link: Link): Promise<string> {
  const result = await link.receive(DEADLINE);
  assert.equal(result.kind, "frame", JSON.stringify(result));
  return result.kind === "frame" ? result.body.toString() : "";
}

describe("Link over TCP", function () {
  this.timeout(5000);
  let listener: Listener;
  let clients: Link[];
  const framing = binary2();
  const connectClient = async () => {
    const client = await tcpConnect(listener.address(), { framing });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    listener = await tcpListen({ framing });
    clients = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await listener.close();
  });

  it("carries frames both ways between tcpConnect and tcpListen", async () => {
    const client = await tcpConnect(`tcp://127.0.0.1:${listener.address().port}`, { framing });
    clients.push(client);
    const server = await acceptLink(listener);
    assert.match(client.id, /^c\d+$/);
    assert.notEqual(client.id, server.id);
    assert.equal(client.peer, `tcp://127.0.0.1:${listener.address().port}`);
    assert.match(server.peer, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    await client.send(Buffer.from("0800 sign-on"));
    assert.equal(await receiveBody(server), "0800 sign-on");
    await server.send(Buffer.from("0810 approved"));
    assert.equal(await receiveBody(client), "0810 approved");
    await client.close();
  });

  it("receive times out with nothing to read, and the link stays usable", async () => {
    const client = await connectClient();
    const server = await acceptLink(listener);
    const started = performance.now();
    assert.deepEqual(await server.receive({ deadlineMs: 50 }), { kind: "timeout" });
    assert.ok(performance.now() - started >= 45);
    await client.send(Buffer.from("late"));
    assert.equal(await receiveBody(server), "late");
    await client.close();
  });

  it("frames sent before the peer closed are still received, then closed with the reason", async () => {
    const client = await connectClient();
    const server = await acceptLink(listener);
    const reasons: string[] = [];
    server.on("disconnect", (reason) => reasons.push(reason));
    await client.send(Buffer.from("last words"));
    await client.close();
    assert.equal(client.closeReason, "local close");
    assert.equal(await receiveBody(server), "last words");
    assert.deepEqual(await server.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
    assert.deepEqual(reasons, ["peer closed"]);
    await assert.rejects(server.send(Buffer.from("x")), {
      name: "LinkError",
      code: "closed",
      message: `link ${server.id} is closed (peer closed)`,
    });
    await assert.rejects(client.send(Buffer.from("x")), { message: `link ${client.id} is closed (local close)` });
  });

  it("a peer that resets the connection: reason reset", async () => {
    const peer = await RawPeer.connect(listener.address().port);
    const server = await acceptLink(listener);
    peer.socket.resetAndDestroy();
    assert.deepEqual(await server.receive(DEADLINE), { kind: "closed", reason: "reset" });
  });

  it("async iteration yields every event in order and ends when the link closes", async () => {
    const keepaliveFraming = ascii4();
    const asciiListener = await tcpListen({ framing: keepaliveFraming });
    try {
      const peer = await RawPeer.connect(asciiListener.address().port);
      const server = await acceptLink(asciiListener);
      await peer.write([Buffer.from("0000"), Buffer.from("0002hi0000")]);
      peer.socket.end();
      const kinds: string[] = [];
      for await (const event of server) kinds.push(event.kind);
      assert.deepEqual(kinds, ["keepalive", "frame", "keepalive"]);
      assert.equal(server.closeReason, "peer closed");
    } finally {
      await asciiListener.close();
    }
  });

  it("events({ idleMs }) ends after a quiet period", async () => {
    await connectClient();
    const server = await acceptLink(listener);
    const seen: LinkEvent[] = [];
    for await (const event of server.events({ idleMs: 30 })) seen.push(event);
    assert.deepEqual(seen, []);
    assert.equal(server.closeReason, undefined);
  });

  it("observers see what was received and sent without consuming it", async () => {
    const client = await connectClient();
    const server = await acceptLink(listener);
    const sent: Array<[Buffer, Buffer | undefined]> = [];
    const received: LinkEvent[] = [];
    client.on("sent", (raw, body) => sent.push([raw, body]));
    server.on("received", (event) => received.push(event));
    await client.send(Buffer.from("abc"));
    await client.sendRaw(Buffer.from([0, 1, 0x7a]));
    assert.equal(await receiveBody(server), "abc");
    assert.equal(await receiveBody(server), "z");
    assert.deepEqual(sent, [
      [Buffer.from([0, 3, 0x61, 0x62, 0x63]), Buffer.from("abc")],
      [Buffer.from([0, 1, 0x7a]), undefined],
    ]);
    assert.deepEqual(
      received.map((event) => event.kind),
      ["frame", "frame"],
    );
  });

  it("stops reading while 1024 events wait unconsumed, and loses none", async () => {
    const peer = await RawPeer.connect(listener.address().port);
    const server = await acceptLink(listener);
    let received = 0;
    server.on("received", () => received++);
    const count = 30_000;
    const wire = Buffer.concat(Array.from({ length: count }, (_, i) => framing.encode(Buffer.from(String(i)))));
    void peer.write(splitAt(wire, [100_000, 200_000]), 5);
    await delay(100);
    assert.ok(received < count, `read all ${received} events without a consumer`);
    for (let i = 0; i < count; i++) {
      const result = await server.receive(DEADLINE);
      assert.ok(result.kind === "frame" && result.body.toString() === String(i), `frame ${i}: ${JSON.stringify(result)}`);
    }
  });

  describe("property: any chunking from a raw peer, interleaved with sends both ways", () => {
    const framings: Framing[] = [binary2(), bcd2(), ascii4(), stxEtx()];
    for (const subject of framings) {
      it(subject.name, async () => {
        const subjectListener = await tcpListen({ framing: subject });
        const body = fc
          .uint8Array({ minLength: 1, maxLength: 200 })
          .map((array) => Buffer.from(array.map((byte) => (byte === 2 || byte === 3 ? 0x20 : byte))));
        try {
          await fc.assert(
            fc.asyncProperty(
              fc.array(body, { minLength: 1, maxLength: 6 }),
              fc.array(body, { maxLength: 6 }),
              fc.array(fc.nat(), { maxLength: 12 }),
              async (inbound, outbound, cuts) => {
                const peer = await RawPeer.connect(subjectListener.address().port);
                const link = await acceptLink(subjectListener);
                const wire = Buffer.concat(inbound.map((b) => subject.encode(b)));
                const writing = peer.write(splitAt(wire, cuts.map((cut) => cut % (wire.length + 1))));
                const sending = Promise.all(outbound.map((b) => link.send(b)));
                for (const expected of inbound) {
                  const result = await link.receive(DEADLINE);
                  assert.ok(result.kind === "frame" && result.body.equals(expected), JSON.stringify(result));
                }
                await Promise.all([writing, sending]);
                const back = await peer.bytes(outbound.reduce((sum, b) => sum + subject.encode(b).length, 0));
                const events = deframeAll(subject, [back]);
                assert.deepEqual(
                  events.map((event) => (event.kind === "frame" ? event.body : event.kind)),
                  outbound,
                );
                peer.socket.destroy();
                await link.close();
              },
            ),
            { numRuns: 15 },
          );
        } finally {
          await subjectListener.close();
        }
      });
    }
  });
});
