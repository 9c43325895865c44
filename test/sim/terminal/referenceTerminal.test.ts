import assert from "node:assert/strict";
import { builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import { encodeWorkingKeys, parseOriginalData } from "../../../src/protocol/index.js";
import { DEFAULT_MAK, DEFAULT_TMK } from "../../../src/sim/defaults.js";
import { ReferenceTerminal } from "../../../src/sim/terminal/referenceTerminal.js";
import { inProcessRig, type InProcessRig } from "./support/inProcess.js";

// The in-process API on a virtual clock and memory links: the 30 s response timeout costs
// nothing. The rules over real links, process and serial line are in behaviour/.
describe("ReferenceTerminal (in-process)", () => {
  const cup = builtinDialect("cup");
  const iso87 = builtinDialect("iso87ascii");
  let rig: InProcessRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it("ISO 87: a reversal takes a new STAN, names its original in field 90, and repeats unchanged", async () => {
    const r = (rig = await inProcessRig(iso87));
    r.host.react({ drop: true });
    const failed = await r.terminal.execute({ cmd: "sale", amount: 500 });
    assert.equal(failed.result, "error");
    r.host.react({ drop: true }, { drop: true });
    const next = await r.terminal.execute({ cmd: "sale", amount: 700 });
    assert.equal(next.result, "approved");
    const [sale, ...rest] = r.host.requests.map((r) => r.message);
    const reversals = rest.slice(0, 3);
    assert.deepEqual(reversals.map((m) => m.mti), ["0400", "0400", "0400"]);
    assert.deepEqual(reversals[1], reversals[0]);
    assert.deepEqual(reversals[2], reversals[0]);
    const original = parseOriginalData(reversals[0].fields["90"]);
    assert.equal(original.stan, sale.fields["11"]);
    assert.notEqual(reversals[0].fields["11"], sale.fields["11"]);
    assert.equal(reversals[0].fields["4"], sale.fields["4"]);
    assert.equal(rest[3].fields["11"] > reversals[0].fields["11"], true, "the next sale's STAN comes after the reversal's");
  });

  it("a pending reversal survives a restart on the same store", async () => {
    const r = (rig = await inProcessRig(cup));
    r.host.react({ drop: true });
    await r.terminal.execute({ cmd: "sale", amount: 500 });
    await r.terminal.close();
    const restarted = await r.restart();
    assert.equal((await restarted.execute({ cmd: "status" })).pendingReversal?.reason, "98");
    assert.equal((await restarted.execute({ cmd: "sale", amount: 600 })).result, "approved");
    assert.equal(r.host.mtis(), "0200/000001 0400/000001/98 0200/000002");
  });

  it("passes over a second answer to the previous request: it came before the next request was sent", async () => {
    const r = (rig = await inProcessRig(cup));
    r.host.react({ twice: true });
    assert.equal((await r.terminal.execute({ cmd: "sale", amount: 500 })).result, "approved");
    const next = await r.terminal.execute({ cmd: "sale", amount: 600 });
    assert.equal(next.result, "approved", next.message);
    assert.equal(r.host.mtis(), "0200/000001 0200/000002");
  });

  it("runs concurrent commands one after another, in the order given", async () => {
    const r = (rig = await inProcessRig(cup));
    const results = await Promise.all([500, 600, 700].map((amount) => r.terminal.execute({ cmd: "sale", amount })));
    assert.deepEqual(results.map((r) => [r.stan, r.amount]), [["000001", 500], ["000002", 600], ["000003", 700]]);
  });

  it("refuses a void of an unknown or already voided sale without asking the host", async () => {
    const r = (rig = await inProcessRig(cup));
    await r.terminal.execute({ cmd: "sale", amount: 500 });
    assert.equal((await r.terminal.execute({ cmd: "void", stan: "000001" })).result, "approved");
    assert.deepEqual(await r.terminal.execute({ cmd: "void", stan: "000001" }), { result: "error", message: "the sale with STAN 000001 is already voided" });
    assert.deepEqual(await r.terminal.execute({ cmd: "void", stan: "000042" }), { result: "error", message: "no approved sale with STAN 000042 in the open batch" });
    assert.deepEqual(await r.terminal.execute({ cmd: "refund", amount: 5, stan: "000042" }), { result: "error", message: "no approved sale with STAN 000042 in the open batch" });
    assert.equal(r.host.requests.length, 2);
  });

  it("a void names its original in field 61 and carries its RRN and auth code; a refund without a STAN names zeros", async () => {
    const r = (rig = await inProcessRig(cup));
    const sale = await r.terminal.execute({ cmd: "sale", amount: 500 });
    await r.terminal.execute({ cmd: "void", stan: sale.stan! });
    await r.terminal.execute({ cmd: "refund", amount: 200 });
    const [, voidRequest, refund] = r.host.requests.map((r) => r.message);
    assert.equal(voidRequest.fields["3"], "200000");
    assert.equal(voidRequest.fields["61"], "000001" + sale.stan);
    assert.equal(voidRequest.fields["37"], sale.rrn);
    assert.equal(voidRequest.fields["38"], sale.auth);
    assert.equal(voidRequest.fields["4"], "000000000500");
    assert.equal(refund.mti, "0220");
    assert.equal(refund.fields["61"], "0".repeat(16));
  });

  it("a sign-on reply whose key check value does not match installs no key", async () => {
    const r = (rig = await inProcessRig(cup));
    const keys = encodeWorkingKeys(Buffer.from(DEFAULT_TMK, "hex"), { pik: Buffer.alloc(8, 1), mak: Buffer.alloc(8, 2) });
    const wrongKcv = keys.slice(0, -2) + (keys.endsWith("00") ? "01" : "00");
    r.host.react({ fields: { "62": wrongKcv } });
    const result = await r.terminal.execute({ cmd: "signon" });
    assert.equal(result.result, "error");
    assert.match(result.message, /^sign-on MAC key check value does not match/);
    assert.equal((await r.store.load())?.mak, DEFAULT_MAK);
    assert.equal((await r.terminal.execute({ cmd: "status" })).signedOn, false);
  });

  it("a host out of reach: an error result, nothing journalled, the STAN still spent", async () => {
    const terminal = await ReferenceTerminal.open({ dialect: cup, connect: () => Promise.reject(new Error("connection refused")) });
    assert.deepEqual(await terminal.execute({ cmd: "sale", amount: 100 }), { result: "error", message: "cannot reach the host: connection refused" });
    const status = await terminal.execute({ cmd: "status" });
    assert.equal(status.pendingReversal, null);
    assert.equal(status.stan, "000001");
    await terminal.close();
  });

  it("an internal failure is an error result, never a rejection", async () => {
    let saves = 0;
    // The first save is the fresh state at open; the disk fills up after it.
    const failing = {
      load: async () => undefined,
      save: async () => {
        if (++saves > 1) throw new Error("disk full");
      },
    };
    const r = (rig = await inProcessRig(cup, { store: failing }));
    assert.deepEqual(await r.terminal.execute({ cmd: "sale", amount: 100 }), { result: "error", message: "internal error: disk full" });
  });

  it("starts with the initial MAC key and the first batch", async () => {
    const r = (rig = await inProcessRig(cup));
    await r.terminal.execute({ cmd: "sale", amount: 100 });
    assert.equal(r.host.requests[0].mac, "ok");
    const saved = await r.store.load();
    assert.equal(saved?.mak, DEFAULT_MAK);
    assert.equal(saved?.batch, "000001");
  });
});
