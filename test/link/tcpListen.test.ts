import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import type { Link } from "../../src/link/link.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { tcpListen } from "../../src/link/tcpListen.js";
import { VirtualClock } from "../../src/link/virtualClock.js";

const framing = binary2();
const DEADLINE = { deadlineMs: 2000 };

describe("tcpListen", function () {
  this.timeout(5000);
  it("binds 127.0.0.1 on an ephemeral port by default", async () => {
    const listener = await tcpListen({ framing });
    const { host, port } = listener.address();
    assert.equal(host, "127.0.0.1");
    assert.ok(port > 0);
    await listener.close();
  });

  it("accept times out when nobody connects", async () => {
    const listener = await tcpListen({ framing });
    assert.deepEqual(await listener.accept({ deadlineMs: 20 }), { kind: "timeout" });
    await listener.close();
  });

  it("accept's deadline runs on the clock option's time", async () => {
    const clock = new VirtualClock();
    const listener = await tcpListen({ framing, clock });
    const accepting = listener.accept({ deadlineMs: 60_000 });
    await clock.advance(60_000);
    assert.deepEqual(await accepting, { kind: "timeout" });
    await listener.close();
  });

  it("serves many connections at once, each its own Link", async () => {
    const listener = await tcpListen({ framing });
    const announced: Link[] = [];
    listener.on("connect", (link) => announced.push(link));
    const clients = await Promise.all([1, 2, 3].map(() => tcpConnect(listener.address(), { framing })));
    const servers: Link[] = [];
    for (const _ of clients) {
      const accepted = await listener.accept(DEADLINE);
      assert.equal(accepted.kind, "connection");
      if (accepted.kind === "connection") servers.push(accepted.link);
    }
    assert.deepEqual(announced, servers);
    assert.equal(new Set(servers.map((link) => link.id)).size, 3);
    await Promise.all(clients.map((client, i) => client.send(Buffer.from(`from ${i}`))));
    const bodies = await Promise.all(servers.map((server) => server.receive(DEADLINE)));
    assert.deepEqual(
      bodies.map((result) => (result.kind === "frame" ? result.body.toString() : result.kind)).sort(),
      ["from 0", "from 1", "from 2"],
    );
    await listener.close();
    for (const server of servers) assert.equal(server.closeReason, "local close");
  });

  it("a peer that reconnects arrives as a new Link; the old one reports peer closed", async () => {
    const listener = await tcpListen({ framing });
    const first = await tcpConnect(listener.address(), { framing });
    const firstAccepted = await listener.accept(DEADLINE);
    await first.close();
    const second = await tcpConnect(listener.address(), { framing });
    const secondAccepted = await listener.accept(DEADLINE);
    assert.ok(firstAccepted.kind === "connection" && secondAccepted.kind === "connection");
    assert.notEqual(firstAccepted.link.id, secondAccepted.link.id);
    assert.deepEqual(await firstAccepted.link.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
    await second.send(Buffer.from("again"));
    const result = await secondAccepted.link.receive(DEADLINE);
    assert.equal(result.kind === "frame" && result.body.toString(), "again");
    await second.close();
    await listener.close();
  });

  it("a connection that closes before it is accepted is dropped from the queue", async () => {
    const listener = await tcpListen({ framing });
    const disconnected = new Promise((resolve) => listener.on("connect", (link) => link.on("disconnect", resolve)));
    const gone = await tcpConnect(listener.address(), { framing });
    await gone.close();
    await disconnected;
    assert.deepEqual(await listener.accept({ deadlineMs: 20 }), { kind: "timeout" });
    await listener.close();
  });

  it("close ends pending and later accepts", async () => {
    const listener = await tcpListen({ framing });
    const waiting = listener.accept(DEADLINE);
    await listener.close();
    assert.deepEqual(await waiting, { kind: "closed", reason: "listener closed" });
    assert.deepEqual(await listener.accept(DEADLINE), { kind: "closed", reason: "listener closed" });
  });

  it("a port in use is a clear error", async () => {
    const listener = await tcpListen({ framing });
    const { port } = listener.address();
    await assert.rejects(tcpListen({ framing, port }), {
      name: "LinkError",
      code: "listen_failed",
      message: `cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    });
    await listener.close();
  });
});
