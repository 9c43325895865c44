import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { builtinDialect } from "../../../../src/iso8583/builtinDialects.js";
import { decodeTotals } from "../../../../src/protocol/index.js";
import { ECR_PROTOCOL } from "../../../../src/ecr/ecrProtocol.js";
import { requireSocat } from "../../../link/support/ptyPair.js";
import { BALANCE, listenScriptedHost, type ScriptedHost } from "../support/scriptedHost.js";
import { TerminalProcess } from "../support/terminalProcess.js";

/** The terminal's response timeout here: long enough for a loaded machine, short enough to be cheap. */
const TIMEOUT_MS = 400;
const cup = builtinDialect("cup");

// The reference terminal as a separate process: its ECR on a socat pseudo-terminal pair, its
// host a scripted fake over TCP. Each scenario checks one rule of docs/protocol-notes.md §2.4 / §2.7.
describe("reference terminal rules (process, serial ECR, TCP host)", function () {
  this.timeout(20_000);
  let host: ScriptedHost;
  let closeHost: () => Promise<void>;
  let endpoint: string;
  let dir: string;
  let state: string;
  let terminal: TerminalProcess | undefined;
  const start = async () => (terminal = await TerminalProcess.start({ host: endpoint, state, timeoutMs: TIMEOUT_MS }));

  before(requireSocat);
  beforeEach(async () => {
    ({ host, endpoint, close: closeHost } = await listenScriptedHost(cup));
    dir = mkdtempSync(join(tmpdir(), "isoconf-terminal-"));
    state = join(dir, "state.json");
  });
  afterEach(async () => {
    await terminal?.stop("SIGKILL");
    terminal = undefined;
    await closeHost();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sign-on installs the working key; a sale carries a MAC under it and its result code, STAN, RRN and auth code", async () => {
    const t = await start();
    const signon = await t.command({ cmd: "signon" });
    assert.equal(signon.result, "approved");
    const sale = await t.command({ cmd: "sale", amount: 1234 });
    assert.deepEqual(
      { v: sale.v, cmd: sale.cmd, result: sale.result, code: sale.code, stan: sale.stan, amount: sale.amount },
      { v: ECR_PROTOCOL, cmd: "sale", result: "approved", code: "00", stan: "000002", amount: 1234 },
    );
    assert.match(sale.rrn ?? "", /^\d{12}$/);
    assert.match(sale.auth ?? "", /^\d{6}$/);
    assert.deepEqual(host.requests.map((r) => [r.message.mti, r.mac]), [["0800", "none"], ["0200", "ok"]]);
  });

  it("a valid decline is reported with its code and reverses nothing", async () => {
    const t = await start();
    host.react({ code: "51" });
    const declined = await t.command({ cmd: "sale", amount: 500 });
    assert.equal(declined.result, "declined");
    assert.equal(declined.code, "51");
    assert.equal(declined.message, "declined: 51 Not sufficient funds");
    assert.equal((await t.command({ cmd: "sale", amount: 500 })).result, "approved");
    assert.equal(host.mtis(), "0200/000001 0200/000002");
  });

  it("no answer in time, or one too late: reason 98, and the reversal (same STAN, no track data) goes before the next sale", async () => {
    const t = await start();
    host.react({ drop: true });
    const failed = await t.command({ cmd: "sale", amount: 500 });
    assert.equal(failed.result, "error");
    assert.equal(failed.message, `no answer within ${TIMEOUT_MS} ms; reversal pending with reason 98`);
    assert.deepEqual((await t.command({ cmd: "status" })).pendingReversal, { stan: "000001", reason: "98", attempts: 0, state: "pending" });
    host.react({}, { delayMs: 2 * TIMEOUT_MS });
    const late = await t.command({ cmd: "sale", amount: 600 });
    assert.equal(late.result, "error");
    assert.deepEqual(late.reversals, [
      { stan: "000001", reason: "98", attempts: 1, state: "acknowledged", code: "00" },
      { stan: "000002", reason: "98", attempts: 0, state: "pending" },
    ]);
    await t.command({ cmd: "sale", amount: 700 });
    assert.equal(host.mtis(), "0200/000001 0400/000001/98 0200/000002 0400/000002/98 0200/000003");
    const [sale, reversal] = host.requests;
    assert.equal(reversal.mac, "ok");
    assert.equal(reversal.message.fields["35"], undefined);
    assert.equal(reversal.message.fields["2"], sale.message.fields["2"]);
    assert.equal(reversal.message.fields["4"], sale.message.fields["4"]);
  });

  it("a bad MAC on an approval is reversed with A0; a wrong STAN or terminal ID in the answer with 06", async () => {
    const t = await start();
    host.react({ badMac: true });
    assert.equal((await t.command({ cmd: "sale", amount: 500 })).message, "the answer's MAC does not verify; reversal pending with reason A0");
    host.react({}, { fields: { "11": "999999" } });
    const wrongStan = await t.command({ cmd: "sale", amount: 600 });
    assert.equal(wrongStan.message, "the answer does not match the request: field 11 is 999999, expected 000002; reversal pending with reason 06");
    host.react({}, { fields: { "41": "TERM0002" } });
    assert.equal((await t.command({ cmd: "sale", amount: 700 })).result, "error");
    assert.equal((await t.command({ cmd: "status" })).pendingReversal?.reason, "06");
    assert.equal(host.mtis(), "0200/000001 0400/000001/A0 0200/000002 0400/000002/06 0200/000003");
  });

  it("a reversal answered with any code is closed: 25 and 12 alike, never resent", async () => {
    const t = await start();
    host.react({ drop: true });
    await t.command({ cmd: "sale", amount: 500 });
    host.react({ code: "25" }, { drop: true });
    assert.deepEqual((await t.command({ cmd: "sale", amount: 600 })).reversals?.[0], { stan: "000001", reason: "98", attempts: 1, state: "acknowledged", code: "25" });
    host.react({ code: "12" });
    assert.equal((await t.command({ cmd: "sale", amount: 700 })).result, "approved");
    assert.equal(host.mtis(), "0200/000001 0400/000001/98 0200/000002 0400/000002/98 0200/000003");
  });

  it("an unanswered reversal is resent unchanged up to 3 attempts, then dropped with an error; the sale is not sent", async () => {
    const t = await start();
    host.react({ drop: true }, { drop: true }, { drop: true }, { drop: true });
    await t.command({ cmd: "sale", amount: 500 });
    const dropped = await t.command({ cmd: "sale", amount: 600 });
    assert.equal(dropped.result, "error");
    assert.match(dropped.message, /^the reversal of STAN 000001 went unanswered 3 times and was dropped/);
    assert.deepEqual(dropped.reversals, [{ stan: "000001", reason: "98", attempts: 3, state: "dropped" }]);
    const reversals = host.requests.slice(1).map((r) => r.frame.toString("hex"));
    assert.equal(reversals.length, 3);
    assert.equal(new Set(reversals).size, 1, "each attempt sends the identical 0400");
    assert.equal((await t.command({ cmd: "sale", amount: 700 })).result, "approved");
    assert.equal(host.mtis(), "0200/000001 0400/000001/98 0400/000001/98 0400/000001/98 0200/000002");
  });

  it("settlement: the pending reversal first, then totals of approved minus voided with refunds as credits; then a new batch", async () => {
    const t = await start();
    const first = await t.command({ cmd: "sale", amount: 1000 });
    await t.command({ cmd: "sale", amount: 2000 });
    assert.equal((await t.command({ cmd: "void", stan: first.stan! })).result, "approved");
    assert.equal((await t.command({ cmd: "refund", amount: 300, stan: first.stan })).result, "approved");
    host.react({ drop: true });
    await t.command({ cmd: "sale", amount: 400 });
    const settled = await t.command({ cmd: "settle" });
    assert.equal(settled.result, "approved");
    assert.equal(settled.balanced, true);
    assert.equal(settled.batch, "000001");
    const totals = { debitCount: 1, debitAmount: 2000, creditCount: 1, creditAmount: 300 };
    assert.deepEqual(settled.totals, totals);
    assert.deepEqual(host.requests.slice(-2).map((r) => r.message.mti), ["0400", "0500"]);
    assert.deepEqual(decodeTotals(cup, host.requests.at(-1)!.message), totals);
    const after = await t.command({ cmd: "status" });
    assert.equal(after.batch, "000002");
    assert.deepEqual(after.totals, { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 });
  });

  it("balance inquiry: the host's balance comes back; an unanswered one is not reversed", async () => {
    const t = await start();
    const balance = await t.command({ cmd: "balance" });
    assert.equal(balance.balance, BALANCE);
    host.react({ drop: true });
    assert.equal((await t.command({ cmd: "balance" })).result, "error");
    await t.command({ cmd: "sale", amount: 100 });
    assert.deepEqual(host.requests.map((r) => r.message.fields["3"]), ["310000", "310000", "000000"]);
  });

  it("a pending reversal survives killing the process while it waits; the STAN is not reused", async () => {
    const t = await start();
    host.react({ drop: true });
    await t.send(JSON.stringify({ v: ECR_PROTOCOL, id: "1", cmd: "sale", amount: 500 }));
    await host.received(1);
    // Kill only once the journal is on disk: it is written right after the request goes out.
    await until(() => readFileSync(state, "utf8").includes('"pending"'));
    await t.stop("SIGKILL");
    const restarted = await start();
    assert.equal((await restarted.command({ cmd: "status" })).pendingReversal?.reason, "98");
    assert.equal((await restarted.command({ cmd: "sale", amount: 600 })).result, "approved");
    assert.equal(host.mtis(), "0200/000001 0400/000001/98 0200/000002");
  });

  it("ECR: every frame gets one result, an invalid one an error; a resent id runs nothing twice; SIGTERM exits 0", async () => {
    const t = await start();
    await t.send("not json");
    assert.deepEqual(await t.nextFrame(), { v: ECR_PROTOCOL, id: null, cmd: null, result: "error", message: "the frame is not JSON" });
    await t.send(JSON.stringify({ v: ECR_PROTOCOL, id: "a", cmd: "sale", amount: "5.00" }));
    assert.deepEqual(await t.nextFrame(), { v: ECR_PROTOCOL, id: "a", cmd: "sale", result: "error", message: "amount: expected a number of minor units, such as 500 for 5.00" });
    const sale = JSON.stringify({ v: ECR_PROTOCOL, id: "b", cmd: "sale", amount: 500 });
    await t.send(sale);
    const first = await t.nextFrame();
    await t.send(sale);
    assert.deepEqual(await t.nextFrame(), first);
    assert.equal(host.requests.length, 1);
    assert.equal(await t.stop("SIGTERM"), 0);
    terminal = undefined;
  });
});

async function until(condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`condition not met within ${deadlineMs} ms`);
    await delay(10);
  }
}
