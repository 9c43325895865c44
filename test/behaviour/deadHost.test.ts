import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "../../api/runConformance.js";
import { exitCodeOf } from "../../reports/exitCode.js";
import { UsageError } from "../../api/usageError.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { buildResponse } from "../../src/protocol/index.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const out = () => join(mkdtempSync(join(tmpdir(), "isoconf-dead-")), "out");

/** A TCP host on loopback that does `onConnection` with each connection, and never answers. */
async function startBadHost(onConnection: (socket: Socket) => void): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `tcp://127.0.0.1:${port}`, server, sockets };
}

async function close(h: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const s of h.sockets) s.destroy();
  await new Promise<void>((resolve) => h.server.close(() => resolve()));
}

/** What a run against a dead or stalled host must show: it ended by itself, named the failure, passed nothing it did not exercise. */
async function runAgainst(url: string, expectFailing: string, alive = false) {
  const dir = out();
  const started = performance.now();
  const run = await runConformance({ role: "host", target: url, runs: 100, seed: 7, "timeout-ms": 300, out: dir });
  const ms = performance.now() - started;
  const r = run.result;
  const byId = new Map(r.properties.map((p) => [p.id, p]));
  assert.equal(byId.get(expectFailing)?.verdict, "fail", JSON.stringify(r.properties.map((p) => [p.id, p.verdict])));
  // A pass stands on what its rule judged before the host went down; the TAP shows it as not judged to the end.
  for (const p of r.properties) if (p.verdict === "pass") assert.ok(p.judged > 0 && alive, `${p.id} passed over a host that never answered`);
  assert.equal(r.stopped?.reason, "sut-down");
  assert.match(r.stopped?.message ?? "", /the SUT stopped answering in scenario \d+ and did not answer a sign-on after it/);
  assert.ok(r.scenarios < 100, `stopped early, after ${r.scenarios} scenarios`);
  assert.ok(r.stopped?.message?.includes(`in scenario ${r.scenarios} `), "the report says at which scenario the host went down");
  assert.equal(exitCodeOf(r, new Map()).code, 1, "exit 1: a failure was found");
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  assert.equal(summary.stopped.reason, "sut-down");
  assert.match(readFileSync(join(dir, "results.tap"), "utf8"), /^Bail out! the run stopped after \d+ of 100 scenarios, the rest not run: the SUT stopped answering/m);
  return { r, ms };
}

// Against a host that has stopped serving, each request costs a whole timeout: the kit ends a
// scenario after two requests in a row go unanswered, then probes the host once, and stops the run
// when the probe gets nothing either.
describe("a host that dies or stalls: the run stays short and passes nothing it did not exercise", function () {
  this.timeout(60_000);

  it("a silent host (accepts, reads, never answers)", async () => {
    const h = await startBadHost((s) => s.resume());
    try {
      const { r, ms } = await runAgainst(h.url, "H-MTI-1");
      assert.equal(r.scenarios, 1, "down in the first scenario");
      assert.ok(ms < 20_000, `${ms} ms`);
      assert.ok(r.properties.some((p) => p.verdict === "untested"), "the rules about answers were never exercised");
    } finally {
      await close(h);
    }
  });

  it("a host that sends half a frame and stalls", async () => {
    const h = await startBadHost((s) => s.once("data", () => s.write(Buffer.from([0x00, 0x40, 0x60, 0x00]))));
    try {
      const { r } = await runAgainst(h.url, "H-MTI-1");
      // The kit hung up on the half frame after its timeout: that is the timeout, not the host's framing.
      assert.equal(r.properties.find((p) => p.id === "H-FMT-1")!.verdict, "untested");
    } finally {
      await close(h);
    }
  });

  it("the reference host process that dies after the first malformed frame: found by H-LIVE-1, then the run stops", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--bug", "crash-on-malformed"]);
    try {
      const { r } = await runAgainst(host.url, "H-LIVE-1", true);
      const live = r.properties.find((p) => p.id === "H-LIVE-1")!;
      assert.ok(live.verdict === "fail" && live.counterexample !== undefined);
      assert.match(live.counterexample.violations[0].message, /after a malformed frame, the host did not answer the next valid request/);
    } finally {
      await stop(host.child);
    }
  });
});

describe("the sign-on before the run says the real cause", function () {
  this.timeout(30_000);
  const cup = builtinDialect("cup");

  it("a host that closes the connection on the sign-on: a note says so and how soon; the run goes on to find it", async () => {
    const h = await startBadHost((s) => s.once("data", () => s.destroy()));
    const notices: string[] = [];
    try {
      const run = await runConformance({ role: "host", target: h.url, runs: 5, seed: 1, "timeout-ms": 300, out: out() }, { onNotice: (t) => notices.push(t) });
      assert.ok(notices.some((n) => /^note: TERM0001's sign-on \(0800\) got no answer: the host closed the connection \d+ ms after it \(/.test(n)), notices.join("\n"));
      assert.equal(run.result.properties.find((p) => p.id === "H-MTI-1")!.verdict, "fail");
    } finally {
      await close(h);
    }
  });

  it("a host whose 0810 has no field 39: exit 2, saying so (not a registry hint)", async () => {
    // Answers each sign-on correctly but for field 39.
    const h = await startBadHost((s) => {
      let buf = Buffer.alloc(0);
      s.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const body = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + body.length);
          const reply = buildResponse(cup, unpack(cup, body), { code: "00" });
          delete reply.fields["39"];
          const frame = pack(cup, reply);
          s.write(Buffer.concat([Buffer.from([frame.length >> 8, frame.length & 0xff]), frame]));
        }
      });
    });
    try {
      await assert.rejects(
        runConformance({ role: "host", target: h.url, runs: 5, "timeout-ms": 300, out: out() }),
        (e: Error) => e instanceof UsageError && /answered TERM0001's sign-on with a 0810 that has no field 39, so the kit cannot tell an approval/.test(e.message) && !/registry/.test(e.message),
      );
    } finally {
      await close(h);
    }
  });
});
