import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import type { Message } from "../../../src/iso8583/message.js";
import { framingByName } from "../../../src/link/framingByName.js";
import { tcpConnect } from "../../../src/link/tcpConnect.js";
import { type Card, parseBalance, rulesOf, settlementBalanced, type Totals } from "../../../src/protocol/index.js";
import { HOST_BUGS } from "../../../src/sim/host/bugs.js";
import { openingBalance } from "../../../src/sim/host/declineRules.js";
import { runCli } from "../../helpers/cli.js";
import { startHostProcess, stop } from "../../helpers/simHostProcess.js";
import { ScriptedTerminal } from "./support/scriptedTerminal.js";

const TERMINALS = 20;
const TRANSACTIONS = 200;

/** Cards the terminals share, so their updates meet on the same balances; the last one runs dry. */
const SHARED_CARDS: Card[] = ["6225880000000190", "6225880000000290", "4761730000000390", "5413330000000490", "6225880000000501"].map((pan) => ({ pan, expiry: "2812" }));


/** One terminal's workload: purchases, a reversal every tenth step, a refund every 25th; what it counted. */
async function runTerminal(t: ScriptedTerminal, index: number, net: Map<string, number>): Promise<Totals> {
  const approved = rulesOf(t.dialect).codes.approved;
  const counted: Totals = { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 };
  const book = (pan: string, minor: number) => net.set(pan, (net.get(pan) ?? 0) + minor);
  let last: { request: Message; reply: Message; card: Card; minor: number } | undefined;
  await t.signOn();
  for (let i = 1; i < TRANSACTIONS; i++) {
    if (i % 10 === 0 && last !== undefined) {
      const ack = await t.exchange(t.reversal(last.request));
      assert.equal(ack.fields["39"], approved);
      if (last.reply.fields["39"] === approved) {
        counted.debitCount--;
        counted.debitAmount -= last.minor;
        book(last.card.pan, -last.minor);
      }
      last = undefined;
      continue;
    }
    const card = SHARED_CARDS[(index + i) % SHARED_CARDS.length];
    if (i % 25 === 0 && last?.reply.fields["39"] === approved) {
      const minor = Math.ceil(last.minor / 2);
      const reply = await t.exchange(t.request("refund", { card: last.card, amount: minor, original: t.originalRef(last.request, last.reply) }));
      assert.equal(reply.fields["39"], approved);
      counted.creditCount++;
      counted.creditAmount += minor;
      book(last.card.pan, -minor);
      continue;
    }
    // 1.00 to 200.99: about one in a hundred ends in 51 and is declined.
    const minor = 100 + ((index * 7919 + i * 104_729) % 20_000);
    const request = t.request("purchase", { card, amount: minor });
    const reply = await t.exchange(request);
    if (reply.fields["39"] === approved) {
      counted.debitCount++;
      counted.debitAmount += minor;
      book(card.pan, minor);
    }
    last = { request, reply, card, minor };
  }
  return counted;
}

describe("isoconf sim host (a process)", function () {
  this.timeout(40_000);

  it("serves 20 terminals × 200 transactions at once: every batch balances and every card balance agrees", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-host-"));
    const registry = join(dir, "terminals.json");
    const tids = Array.from({ length: TERMINALS }, (_, i) => `TERM${String(1001 + i)}`);
    writeFileSync(registry, JSON.stringify(tids.map((tid) => ({ tid }))));
    const { child, url, stderr } = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--dialect", "cup", "--terminals", registry]);
    const dialect = builtinDialect("cup");
    const framing = framingByName(dialect.table.framing);
    const terminals: ScriptedTerminal[] = [];
    try {
      for (const tid of tids) terminals.push(new ScriptedTerminal(await tcpConnect(url, { framing }), dialect, tid));
      const net = new Map<string, number>();
      const counted = await Promise.all(terminals.map((t, i) => runTerminal(t, i, net)));
      for (const [i, t] of terminals.entries()) {
        const reply = await t.exchange(t.request("settlement", { totals: counted[i] }));
        assert.ok(settlementBalanced(dialect, reply), `${t.tid}: the host's totals disagree with ${JSON.stringify(counted[i])}`);
      }
      for (const card of SHARED_CARDS) {
        const reply = await terminals[0].exchange(terminals[0].request("balance", { card }));
        assert.equal(parseBalance(reply.fields["54"]), openingBalance(card.pan) - (net.get(card.pan) ?? 0), `balance of card ${card.pan.slice(-4)}`);
      }
      const dry = SHARED_CARDS.at(-1)!.pan;
      assert.ok(openingBalance(dry) - net.get(dry)! < 20_100, "the last card ran dry, so balance declines happened under concurrency");
    } finally {
      await Promise.all(terminals.map((t) => t.link.close()));
      assert.equal(await stop(child), 0, stderr());
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("logs one masked line per request with --verbose, and exits 0 on SIGINT", async () => {
    const { child, url, stderr } = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "-d", "iso87ascii", "--verbose"]);
    const dialect = builtinDialect("iso87ascii");
    const t = new ScriptedTerminal(await tcpConnect(url, { framing: framingByName(dialect.table.framing) }), dialect);
    try {
      await t.exchange(t.request("purchase", { card: SHARED_CARDS[0], amount: 500 }));
    } finally {
      await t.link.close();
    }
    assert.equal(await stop(child, "SIGINT"), 0);
    // The MTI as a word: the connection line's port may hold the digits 0200 too.
    const lines = stderr().split("\n").filter((l) => /\b0200\b/.test(l) && !l.includes(" connected from "));
    assert.equal(lines.length, 1, stderr());
    assert.match(lines[0], /0200 TERM0001 000001 000000 622588\*{6}0190 000000000500 -> 0210 00: purchase approved$/);
  });

  it("lists the seeded bugs with --bug list, and refuses an unknown one", () => {
    const list = runCli(["sim", "host", "--bug", "list"]);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2)), HOST_BUGS.map((b) => [b.name, b.violates.join(",")]));
    const bad = runCli(["sim", "host", "--bug", "nope", "--listen", "tcp://127.0.0.1:0"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^isoconf: unknown host bug "nope": expected one of approve-unknown-tid,/);
  });

  it("speaks another framing with --framing, and logs a framing error and the close it causes with --verbose", async () => {
    const { child, url, stderr } = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "-d", "cup", "--framing", "ascii4", "--verbose"]);
    const dialect = builtinDialect("cup");
    const t = new ScriptedTerminal(await tcpConnect(url, { framing: framingByName("ascii4") }), dialect);
    try {
      const reply = await t.exchange(t.request("purchase", { card: SHARED_CARDS[0], amount: 500 }));
      assert.equal(reply.fields["39"], "00", "the purchase went through in ascii4 framing");
    } finally {
      await t.link.close();
    }
    const { port } = new URL(url.replace("tcp:", "http:"));
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.end("ZZZZ0200"); // a length header that is not four ASCII digits
    await once(socket, "close");
    const deadline = Date.now() + 10_000;
    while (!/framing error/.test(stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await stop(child, "SIGINT"), 0);
    assert.match(stderr(), /^c\d+ framing error at byte 0: .+ \(the connection is closed\)$/m, stderr());
    assert.match(stderr(), /^c\d+ closed: framing error/m, stderr());
  });

  it("refuses registry IDs the dialect's fields 41 and 42 cannot carry, in one line", () => {
    const file = join(mkdtempSync(join(tmpdir(), "isoconf-registry-")), "t.json");
    writeFileSync(file, JSON.stringify([{ tid: "T1" }]));
    const bad = runCli(["sim", "host", "--terminals", file, "--listen", "tcp://127.0.0.1:0"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^isoconf: "T1" does not fit field 41 of dialect cup .*: give a tid in .*t\.json to match the dialect\n$/);
  });

  it("refuses a framing it does not know, naming the ones it does", () => {
    const bad = runCli(["sim", "host", "--framing", "bcd3", "--listen", "tcp://127.0.0.1:0"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /framing.*bcd3.*binary2/s);
  });
});
