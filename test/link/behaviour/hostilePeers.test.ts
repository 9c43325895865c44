import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { ascii4 } from "../../../src/link/ascii4.js";
import { binary2 } from "../../../src/link/binary2.js";
import { binary4 } from "../../../src/link/binary4.js";
import type { DeframeError, Framing } from "../../../src/link/framing.js";
import type { Link } from "../../../src/link/link.js";
import { tcpConnect } from "../../../src/link/tcpConnect.js";
import { type Listener, tcpListen } from "../../../src/link/tcpListen.js";
import { hex, splitAt } from "../support/deframeAll.js";
import { RawPeer } from "../support/rawPeer.js";

const DEADLINE = { deadlineMs: 2000 };

/** The kit's side of one hostile connection: its link, framing errors and disconnect reason. */
interface Observed {
  link: Link;
  errors: DeframeError[];
  disconnected: Promise<string>;
}

async function hostile(listener: Listener): Promise<{ peer: RawPeer; observed: Observed }> {
  const peer = await RawPeer.connect(listener.address().port);
  const accepted = await listener.accept(DEADLINE);
  assert.equal(accepted.kind, "connection");
  const { link } = accepted as { link: Link };
  const errors: DeframeError[] = [];
  link.on("error", (error) => errors.push(error));
  const disconnected = new Promise<string>((resolve) => link.on("disconnect", resolve));
  return { peer, observed: { link, errors, disconnected } };
}

/** After a hostile peer, the process still serves: a fresh connection carries a frame both ways. */
async function stillWorks(listener: Listener, framing: Framing): Promise<void> {
  const client = await tcpConnect(listener.address(), { framing, connectTimeoutMs: 1000 });
  const accepted = await listener.accept(DEADLINE);
  assert.equal(accepted.kind, "connection");
  const server = (accepted as { link: Link }).link;
  await client.send(Buffer.from("ping"));
  const ping = await server.receive(DEADLINE);
  assert.equal(ping.kind === "frame" && ping.body.toString(), "ping");
  await server.send(Buffer.from("pong"));
  const pong = await client.receive(DEADLINE);
  assert.equal(pong.kind === "frame" && pong.body.toString(), "pong");
  await client.close();
}

describe("hostile peers", function () {
  this.timeout(5000);

  for (const framing of [binary2(), ascii4()]) {
    describe(`framing ${framing.name}`, () => {
      let listener: Listener;
      beforeEach(async () => {
        listener = await tcpListen({ framing });
      });
      afterEach(async () => {
        await stillWorks(listener, framing);
        await listener.close();
      });

      it("garbage: a fatal framing error, then the link closes", async () => {
        const { peer, observed } = await hostile(listener);
        await peer.write([Buffer.from("GET / HTTP/1.1\r\n\r\n")]);
        const reason =
          framing.name === "binary2"
            ? "length header 47 45 declares 18245 bytes; expected at most 8192 (maxFrame)"
            : "length header 47 45 54 20 is not ascii4: expected 4 ASCII decimal digits";
        assert.equal(await observed.disconnected, `framing error: ${reason}`);
        assert.deepEqual(
          observed.errors.map((error) => [error.reason, error.fatal, error.offset]),
          [[reason, true, 0]],
        );
        const error = await observed.link.next(DEADLINE);
        assert.equal(error.kind === "error" && error.reason, reason);
        assert.deepEqual(await observed.link.next(DEADLINE), { kind: "closed", reason: `framing error: ${reason}` });
        assert.equal(await peer.closed, "end");
      });

      it("half a frame, then close: closed_mid_frame with the bytes seen", async () => {
        const { peer, observed } = await hostile(listener);
        const partial = framing.encode(Buffer.from("0200 purchase")).subarray(0, 9);
        await peer.write([partial]);
        peer.socket.end();
        assert.equal(await observed.disconnected, "peer closed");
        assert.deepEqual(observed.errors, [
          {
            kind: "error",
            code: "closed_mid_frame",
            reason: "connection closed mid-frame",
            bytes: partial,
            offset: 0,
            fatal: true,
          },
        ]);
        assert.deepEqual(await observed.link.receive(DEADLINE), { kind: "closed", reason: "peer closed" });
      });

      it("one byte every 10 ms still reassembles", async () => {
        const { peer, observed } = await hostile(listener);
        const body = Buffer.from("0800 slow line");
        const raw = framing.encode(body);
        const writing = peer.write(splitAt(raw, [...raw.keys()]), 10);
        const result = await observed.link.receive(DEADLINE);
        assert.ok(result.kind === "frame" && result.body.equals(body), JSON.stringify(result));
        await writing;
        peer.socket.destroy();
      });

      it("a reset mid-frame: reason reset, and the partial frame reported", async () => {
        const { peer, observed } = await hostile(listener);
        await peer.write([framing.encode(Buffer.from("abc")).subarray(0, -1)]);
        await delay(20);
        peer.socket.resetAndDestroy();
        assert.equal(await observed.disconnected, "reset");
        assert.deepEqual(
          observed.errors.map((error) => error.code),
          ["closed_mid_frame"],
        );
      });
    });
  }

  describe("limits", () => {
    it("a 64 KB length header with maxFrame 8192: an error event with the header, and the link closes", async () => {
      const framing = binary2();
      const listener = await tcpListen({ framing });
      const { peer, observed } = await hostile(listener);
      await peer.write([hex("FF FF 01 02 03")]);
      const reason = "length header FF FF declares 65535 bytes; expected at most 8192 (maxFrame)";
      assert.equal(await observed.disconnected, `framing error: ${reason}`);
      assert.deepEqual(observed.errors, [
        { kind: "error", code: "above_max_frame", reason, bytes: hex("FF FF"), offset: 0, fatal: true },
      ]);
      await stillWorks(listener, framing);
      await listener.close();
    });

    it("a peer that never reads: send rejects after its deadline instead of buffering without bound", async () => {
      const maxFrame = 1 << 20;
      const framing = binary4({ maxFrame });
      const listener = await tcpListen({ framing, sendDeadlineMs: 200 });
      const { peer, observed } = await hostile(listener);
      peer.socket.pause(); // Stop reading: the kernel buffers fill, then Node's.
      let written = 0;
      observed.link.on("sent", () => written++);
      const frame = Buffer.alloc(maxFrame, 0x55);
      let failure: unknown;
      const started = performance.now();
      for (let i = 0; i < 200 && failure === undefined; i++) {
        await observed.link.send(frame).catch((error: unknown) => (failure = error));
      }
      assert.ok(failure instanceof Error, "send never timed out");
      assert.equal((failure as { code?: string }).code, "send_timeout");
      assert.match(
        failure.message,
        new RegExp(`^send on link ${observed.link.id} timed out after 200 ms with \\d+ bytes still queued: the peer is not reading$`),
      );
      const queued = Number(/with (\d+) bytes/.exec(failure.message)?.[1]);
      assert.ok(queued <= maxFrame + 4, `queued ${queued} bytes`);
      // While the stream is still full, a further send waits for room and writes nothing.
      const writtenBefore = written;
      await assert.rejects(observed.link.send(frame), { code: "send_timeout" });
      assert.equal(written, writtenBefore);
      assert.ok(performance.now() - started < 4000);
      peer.socket.destroy();
      await stillWorks(listener, framing);
      await listener.close();
    });
  });
});
