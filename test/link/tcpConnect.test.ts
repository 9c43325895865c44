import assert from "node:assert/strict";
import { createServer } from "node:net";
import { binary2 } from "../../src/link/binary2.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { tcpListen } from "../../src/link/tcpListen.js";
import { stalledListener } from "./support/stalledListener.js";

const framing = binary2();

/** A port on 127.0.0.1 with nothing listening: bound once, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("tcpConnect", function () {
  this.timeout(5000);

  it("accepts a tcp:// URL or { host, port }", async () => {
    const listener = await tcpListen({ framing });
    const { port } = listener.address();
    const byUrl = await tcpConnect(`tcp://127.0.0.1:${port}`, { framing });
    const byObject = await tcpConnect({ host: "127.0.0.1", port }, { framing });
    assert.equal(byUrl.peer, byObject.peer);
    await Promise.all([byUrl.close(), byObject.close(), listener.close()]);
  });

  it("refused on every attempt: rejects after the retries with the last error", async () => {
    const port = await freePort();
    const started = performance.now();
    await assert.rejects(tcpConnect(`tcp://127.0.0.1:${port}`, { framing, retries: 2, retryDelayMs: 50 }), {
      name: "LinkError",
      code: "connect_failed",
      message: `cannot connect to tcp://127.0.0.1:${port} after 3 attempts: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    const elapsed = performance.now() - started;
    // At least the two waits; the upper bound only says it ends (a loaded machine is slow).
    assert.ok(elapsed >= 95 && elapsed < 10_000, `took ${elapsed} ms`);
  });

  it("retries until the listener appears", async () => {
    const port = await freePort();
    const connecting = tcpConnect({ host: "127.0.0.1", port }, { framing, retries: 400, retryDelayMs: 25 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const listener = await tcpListen({ framing, port });
    const link = await connecting;
    const accepted = await listener.accept({ deadlineMs: 1000 });
    assert.equal(accepted.kind, "connection");
    await link.close();
    await listener.close();
  });

  it("a listener that never accepts: each attempt times out", async () => {
    const stalled = await stalledListener();
    try {
      const started = performance.now();
      await assert.rejects(
        tcpConnect({ host: "127.0.0.1", port: stalled.port }, { framing, connectTimeoutMs: 150, retries: 1, retryDelayMs: 10 }),
        { code: "connect_failed", message: `cannot connect to tcp://127.0.0.1:${stalled.port} after 2 attempts: timed out after 150 ms` },
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 300 && elapsed < 10_000, `took ${elapsed} ms`);
    } finally {
      await stalled.close();
    }
  });

  it("rejects a bad endpoint or option before connecting", async () => {
    await assert.rejects(tcpConnect("serial:/dev/ttyS0", { framing }), {
      code: "invalid_config",
      message: 'bad endpoint "serial:/dev/ttyS0": expected tcp://HOST:PORT',
    });
    await assert.rejects(tcpConnect("tcp://127.0.0.1:1", { framing, retries: -1 }), {
      code: "invalid_config",
      message: "retries must be an integer >= 0, got -1",
    });
    await assert.rejects(tcpConnect("tcp://127.0.0.1:1", { framing, connectTimeoutMs: Number.NaN }), {
      message: "connectTimeoutMs must be a number of milliseconds >= 0, got NaN",
    });
  });
});
