import assert from "node:assert/strict";
import { binary2 } from "../../src/link/binary2.js";
import type { Link } from "../../src/link/link.js";
import { parseEndpoint, type SerialEndpoint } from "../../src/link/parseEndpoint.js";
import { serialOpen } from "../../src/link/serialOpen.js";
import { openPtyPair, type PtyPair, requireSocat } from "./support/ptyPair.js";

const framing = binary2();
const DEADLINE = { deadlineMs: 2000 };

async function receiveBody(link: Link): Promise<Buffer> {
  const result = await link.receive(DEADLINE);
  assert.equal(result.kind, "frame", JSON.stringify(result));
  return result.kind === "frame" ? result.body : Buffer.alloc(0);
}

describe("serialOpen (socat pseudo-terminal pair)", function () {
  this.timeout(8000);
  let pty: PtyPair;
  before(requireSocat);
  beforeEach(async () => {
    pty = await openPtyPair();
  });
  afterEach(async () => {
    await pty.close();
  });

  it("carries frames both ways, including one larger than a single read", async () => {
    const a = await serialOpen({ path: pty.a, framing });
    const b = await serialOpen({ ...(parseEndpoint(`serial:${pty.b}?baud=115200`) as SerialEndpoint), framing });
    assert.equal(a.peer, `serial:${pty.a}`);
    await a.send(Buffer.from("0200 purchase"));
    assert.equal((await receiveBody(b)).toString(), "0200 purchase");
    const big = Buffer.alloc(6000, 0x61);
    await b.send(big);
    assert.ok((await receiveBody(a)).equals(big));
    await Promise.all([a.close(), b.close()]);
    assert.equal(a.closeReason, "local close");
  });

  it("a port closed and reopened carries frames again", async () => {
    const b = await serialOpen({ path: pty.b, framing });
    const first = await serialOpen({ path: pty.a, framing });
    await first.send(Buffer.from("one"));
    assert.equal((await receiveBody(b)).toString(), "one");
    await first.close();
    assert.deepEqual(await first.receive({ deadlineMs: 10 }), { kind: "closed", reason: "local close" });
    const again = await serialOpen({ path: pty.a, framing });
    assert.notEqual(again.id, first.id);
    await again.send(Buffer.from("two"));
    assert.equal((await receiveBody(b)).toString(), "two");
    await b.send(Buffer.from("back"));
    assert.equal((await receiveBody(again)).toString(), "back");
    await Promise.all([again.close(), b.close()]);
  });

  it("a path that cannot be opened is a clear error", async () => {
    await assert.rejects(serialOpen({ path: `${pty.a}-missing`, framing }), {
      name: "LinkError",
      code: "connect_failed",
      message: `cannot open serial port ${pty.a}-missing: No such file or directory, cannot open ${pty.a}-missing`,
    });
  });
});
