import assert from "node:assert/strict";
import { ControlChannel } from "../../src/link/controlChannel.js";
import { Link } from "../../src/link/link.js";
import { memoryTransportPair } from "../../src/link/memoryTransport.js";
import { stxEtx } from "../../src/link/stxEtx.js";
import { VirtualClock } from "../../src/link/virtualClock.js";
import { EcrClient } from "../../src/ecr/ecrClient.js";
import type { EcrCommand, EcrResult } from "../../src/ecr/ecrProtocol.js";
import { ECR_PROTOCOL, resultDeadlineMs } from "../../src/ecr/ecrProtocol.js";
import { EcrServer } from "../../src/ecr/ecrServer.js";

/** An ECR client and server over an in-memory line on a virtual clock; the terminal is a stand-in. */
function line(execute: (c: EcrCommand) => Promise<EcrResult>) {
  const clock = new VirtualClock();
  clock.start();
  const [ecrEnd, terminalEnd] = memoryTransportPair(["ecr", "terminal"]);
  const framing = stxEtx();
  const client = new EcrClient(new ControlChannel(new Link(ecrEnd, { framing, clock })));
  const logged: string[] = [];
  const server = new EcrServer(new ControlChannel(new Link(terminalEnd, { framing, clock })), { execute }, (l) => logged.push(l));
  return {
    client,
    logged,
    async close() {
      await client.close();
      await server.close();
      clock.stop();
    },
  };
}

describe("EcrServer and EcrClient", () => {
  it("carry a command and its result, echoing id and command; the log holds no card data", async () => {
    const seen: EcrCommand[] = [];
    const l = line(async (c) => (seen.push(c), { result: "approved", message: "approved", code: "00", stan: "000001" }));
    const card = { pan: "6225880012345678", expiry: "2812" };
    const result = await l.client.command({ cmd: "sale", amount: 500, card });
    assert.equal(result.v, ECR_PROTOCOL);
    assert.equal(result.cmd, "sale");
    assert.match(result.id ?? "", /^[0-9a-z]+-1$/);
    assert.deepEqual(seen, [{ cmd: "sale", amount: 500, card }]);
    assert.deepEqual(l.logged, [`sale ${result.id}: approved 00 stan 000001 approved`]);
    await l.close();
  });

  it("a command resent with the same id is answered with the first result and carried out once", async () => {
    let runs = 0;
    const l = line(async () => ({ result: "approved", message: `run ${++runs}` }));
    const frame = JSON.stringify({ v: ECR_PROTOCOL, id: "same", cmd: "status" });
    const replies: string[] = [];
    for (let i = 0; i < 2; i++) {
      await l.client.channel.send(frame);
      const got = await l.client.channel.receive({ deadlineMs: 1000 });
      replies.push(got.kind === "frame" ? got.body.toString() : got.kind);
    }
    assert.equal(runs, 1);
    assert.equal(replies[1], replies[0]);
    await l.close();
  });

  it("the client waits out the result deadline on the line's clock, then says so", async () => {
    let finish!: (r: EcrResult) => void;
    const l = line(() => new Promise((resolve) => (finish = resolve)));
    await assert.rejects(l.client.command({ cmd: "settle" }), { message: /^no result for settle [0-9a-z]+-1 within 145000 ms \(timeout\)$/ });
    assert.equal(resultDeadlineMs(30_000, 3), 145_000);
    finish({ result: "error", message: "too late" });
    await l.close();
  });
});
