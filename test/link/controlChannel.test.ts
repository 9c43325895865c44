import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import { ControlChannel } from "../../src/link/controlChannel.js";
import type { Link, LinkEvent } from "../../src/link/link.js";
import { serialOpen } from "../../src/link/serialOpen.js";
import { ACK, ETX, NAK, STX, stxEtx } from "../../src/link/stxEtx.js";
import { tcpConnect } from "../../src/link/tcpConnect.js";
import { tcpListen } from "../../src/link/tcpListen.js";
import { openPtyPair, type PtyPair, requireSocat } from "./support/ptyPair.js";

const framing = stxEtx();
const DEADLINE = { deadlineMs: 2000 };
const sale = '{"cmd":"sale","amount":"5.00"}';

/** The next event on a raw peer link, skipping nothing, failing on a timeout. */
async function nextEvent(link: Link): Promise<LinkEvent> {
  const event = await link.next(DEADLINE);
  assert.ok(event.kind !== "timeout" && event.kind !== "closed", JSON.stringify(event));
  return event as LinkEvent;
}

describe("ControlChannel", function () {
  this.timeout(8000);

  describe("over a socat pseudo-terminal pair", () => {
    let pty: PtyPair;
    let channel: ControlChannel;
    /** The other end, driven by hand: it sees every byte and answers as each test decides. */
    let peer: Link;
    before(requireSocat);
    beforeEach(async () => {
      pty = await openPtyPair();
      channel = new ControlChannel(await serialOpen({ path: pty.a, framing }), { ackTimeoutMs: 100, resends: 2 });
      peer = await serialOpen({ path: pty.b, framing });
    });
    afterEach(async () => {
      await Promise.all([channel.close(), peer.close()]);
      await pty.close();
    });

    it("send resolves on ACK; a received frame is ACKed and delivered", async () => {
      const sending = channel.send(sale);
      const frame = await nextEvent(peer);
      assert.equal(frame.kind === "frame" && frame.body.toString(), sale);
      await peer.sendRaw(Buffer.of(ACK));
      await sending;

      await peer.send(Buffer.from('{"status":"ok"}'));
      assert.equal((await nextEvent(peer)).kind, "ack");
      const received = await channel.receive(DEADLINE);
      assert.equal(received.kind === "frame" && received.body.toString(), '{"status":"ok"}');
    });

    it("a frame with a corrupted LRC is answered by NAK; the resend is ACKed and delivered once", async () => {
      const good = framing.encode(Buffer.from("settle"));
      const corrupted = Buffer.from(good);
      corrupted[corrupted.length - 1] ^= 0xff;
      await peer.sendRaw(corrupted);
      assert.equal((await nextEvent(peer)).kind, "nak");
      await peer.sendRaw(good);
      assert.equal((await nextEvent(peer)).kind, "ack");
      const received = await channel.receive(DEADLINE);
      assert.equal(received.kind === "frame" && received.body.toString(), "settle");
      assert.deepEqual(await channel.receive({ deadlineMs: 50 }), { kind: "timeout" });
    });

    it("a NAK makes the sender resend; the ACK of the resend completes the send", async () => {
      const sending = channel.send(sale);
      assert.equal((await nextEvent(peer)).kind, "frame");
      await peer.sendRaw(Buffer.of(NAK));
      const resent = await nextEvent(peer);
      assert.equal(resent.kind === "frame" && resent.body.toString(), sale);
      await peer.sendRaw(Buffer.of(ACK));
      await sending;
    });

    it("a peer that never ACKs: bounded resends, then a clear error", async () => {
      const started = performance.now();
      await assert.rejects(channel.send(sale), {
        name: "LinkError",
        code: "not_acknowledged",
        message: "control frame not acknowledged after 3 attempts (no answer in 100 ms, no answer in 100 ms, no answer in 100 ms)",
      });
      const elapsed = performance.now() - started;
      // Three waits of 100 ms; Node's timers may fire a fraction of a millisecond early by performance.now().
      assert.ok(elapsed >= 295 && elapsed < 10_000, `took ${elapsed} ms`);
      const copies = [await nextEvent(peer), await nextEvent(peer), await nextEvent(peer)];
      assert.deepEqual(
        copies.map((event) => event.kind),
        ["frame", "frame", "frame"],
      );
      assert.deepEqual(await peer.next({ deadlineMs: 50 }), { kind: "timeout" });
    });

    it("NAK and silence are both listed when the resends run out", async () => {
      const sending = channel.send(sale);
      await nextEvent(peer);
      await peer.sendRaw(Buffer.of(NAK));
      await assert.rejects(sending, {
        message: "control frame not acknowledged after 3 attempts (NAK, no answer in 100 ms, no answer in 100 ms)",
      });
    });

    it("refuses data containing STX or ETX before writing anything", async () => {
      await assert.rejects(channel.send(Buffer.of(0x41, ETX)), {
        code: "invalid_frame",
        message: "stx-etx data must not contain STX (0x02) or ETX (0x03): found 0x03 at byte 1",
      });
      await assert.rejects(channel.send(String.fromCharCode(STX)), { code: "invalid_frame" });
      assert.deepEqual(await peer.next({ deadlineMs: 50 }), { kind: "timeout" });
      // The queue of sends is not stuck behind the refused one.
      const sending = channel.send("ok");
      await nextEvent(peer);
      await peer.sendRaw(Buffer.of(ACK));
      await sending;
    });

    it("a send waiting for its ACK fails when the link closes", async () => {
      const sending = channel.send(sale);
      await nextEvent(peer);
      await channel.link.close();
      await assert.rejects(sending, { code: "closed", message: `link ${channel.link.id} is closed (local close)` });
      assert.deepEqual(await channel.receive(DEADLINE), { kind: "closed", reason: "local close" });
    });
  });

  it("works over a TCP socket too, between two channels", async () => {
    const listener = await tcpListen({ framing });
    const left = new ControlChannel(await tcpConnect(listener.address(), { framing }));
    const accepted = await listener.accept(DEADLINE);
    assert.equal(accepted.kind, "connection");
    const right = new ControlChannel((accepted as { link: Link }).link);
    await Promise.all([left.send('{"cmd":"status"}'), right.send('{"event":"ready"}')]);
    const [atRight, atLeft] = await Promise.all([right.receive(DEADLINE), left.receive(DEADLINE)]);
    assert.equal(atRight.kind === "frame" && atRight.body.toString(), '{"cmd":"status"}');
    assert.equal(atLeft.kind === "frame" && atLeft.body.toString(), '{"event":"ready"}');
    await left.close();
    await right.close();
    await listener.close();
  });

  it("needs an stx-etx link", async () => {
    const listener = await tcpListen({ framing: binary2() });
    const link = await tcpConnect(listener.address(), { framing: binary2() });
    assert.throws(() => new ControlChannel(link), {
      code: "invalid_config",
      message: "ControlChannel needs a link with stx-etx framing, got binary2",
    });
    await link.close();
    await listener.close();
  });
});
