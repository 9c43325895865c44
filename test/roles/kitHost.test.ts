import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { checkMac } from "../../src/iso8583/macMessage.js";
import { decodeWorkingKeys } from "../../src/protocol/index.js";
import { DEFAULT_TMK } from "../../src/sim/defaults.js";
import { lateAnswerMs } from "../../src/protocol/answerTiming.js";
import type { TerminalStep } from "../../src/scenario/scenario.js";
import { bytesOf, detailOf, messageOf, type TraceEvent } from "../../src/trace/traceEvent.js";
import { referenceTerminalTarget } from "../../src/roles/referenceTerminalTarget.js";
import { T_REV_2 } from "../../suites/terminal/rev.js";
import { results, runReferenceTerminal, terminalContext, TERMINAL_TIMEOUT_MS, wire } from "../helpers/terminalRun.js";

const cup = builtinDialect("cup");
const iso87 = builtinDialect("iso87ascii");
const run = (...steps: TerminalStep[]) => runReferenceTerminal(cup, steps);
/** The kit's fault events, without the connection (ids depend on the tests run before). */
const faults = (trace: readonly TraceEvent[]) =>
  trace.filter((e) => e.kind === "fault").map((e) => {
    const { conn: _, ...rest } = e.detail!;
    return rest;
  });
const SETUP = ">0800/000001 <0810/000001/00 >0500/000002 <0510/000002/00";

// The kit playing the host of the in-process reference terminal: each fault as it shows on the
// wire, and what the (correct) terminal makes of it. Virtual time: the timeouts cost nothing.
describe("KitHost against the in-process reference terminal", () => {
  it("signs the terminal on, then has it carry out each step; every command and result is in the trace", async () => {
    const trace = await run({ op: "purchase", amount: 500 }, { op: "balance" }, { op: "settlement" });
    assert.equal(wire(trace), `${SETUP} >0200/000003 <0210/000003/00 >0200/000004 <0210/000004/00 >0500/000005 <0510/000005/00`);
    assert.deepEqual(results(trace), ["signon:approved:00", "settlement:approved:00", "purchase:approved:00", "balance:approved:00", "settlement:approved:00"]);
    const steps = trace.filter((e) => e.kind === "step").map((e) => [e.step, e.text]);
    assert.deepEqual(steps, [[-1, "setup: sign the terminal on and settle its open batch"], [0, "purchase(5.00)"], [1, "balance"], [2, "settlement"], [-1, "teardown"]]);
  });

  it("drop: no answer; the terminal reverses with 98 before its next purchase", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000003/98 <0410/000003/00 >0200/000004 <0210/000004/00`);
    assert.deepEqual(faults(trace), [{ fault: "drop", mti: "0200", stan: "000003" }]);
    assert.deepEqual(results(trace).slice(2), ["purchase:failed", "purchase:approved:00"]);
  });

  it("late: the answer is held past the terminal's timeout, which has closed the connection by then", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "late" } }, { op: "purchase", amount: 600 });
    assert.deepEqual(faults(trace), [{ fault: "late", mti: "0200", stan: "000003", heldMs: lateAnswerMs(TERMINAL_TIMEOUT_MS) }]);
    assert.equal(lateAnswerMs(TERMINAL_TIMEOUT_MS), 33_000);
    assert.match(wire(trace), />0200\/000003 >0400\/000003\/98 <0410\/000003\/00/);
  });

  it("answer twice: both copies in one write; the terminal takes the first and passes over the second", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "answer_twice" } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 <0210/000003/00 <0210/000003/00 >0200/000004 <0210/000004/00`);
    assert.deepEqual(results(trace).slice(2), ["purchase:approved:00", "purchase:approved:00"]);
  });

  for (const [kind, field, shown] of [
    ["wrong_stan", "11", "<0210/000004/00"],
    ["wrong_tid", "41", "<0210/000003/00"],
    ["wrong_amount", "4", "<0210/000003/00"],
  ] as const) {
    it(`${kind}: field ${field} echoed wrongly (re-MACed, so only the echo is wrong); reversal reason 06`, async () => {
      const trace = await run({ op: "purchase", amount: 500, fault: { kind } }, { op: "purchase", amount: 600 });
      assert.equal(wire(trace), `${SETUP} >0200/000003 ${shown} >0400/000003/06 <0410/000003/00 >0200/000004 <0210/000004/00`);
      const fault = trace.find((e) => e.kind === "fault")!;
      assert.equal(fault.detail!.field, field);
      const answer = trace.find((e) => e.dir === "kit→sut" && e.kind === "frame" && e.seq > fault.seq)!;
      assert.equal(messageOf(answer)?.fields[field], fault.detail.echoed);
      // The MAC verifies under the working key the sign-on handed out: only the echo is wrong.
      const signOn = trace.map(messageOf).find((m) => m?.mti === "0810")!;
      const { mak } = decodeWorkingKeys(Buffer.from(DEFAULT_TMK, "hex"), signOn.fields["62"]);
      assert.equal(checkMac(cup, Buffer.from(bytesOf(answer)!, "hex"), messageOf(answer)!, mak), "ok");
    });
  }

  it("bad MAC on an approval: reversal reason A0", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "bad_mac" } }, { op: "purchase", amount: 600 });
    assert.match(wire(trace), />0200\/000003 <0210\/000003\/00 >0400\/000003\/A0 <0410\/000003\/00/);
  });

  it("bad MAC where the answer has none (sign-on, settlement) is not applied, and says so", async () => {
    const trace = await run({ op: "settlement", fault: { kind: "bad_mac" } });
    assert.deepEqual(faults(trace), []);
    assert.ok(trace.some((e) => e.kind === "note" && /bad_mac not applied: the answer carries no MAC/.test(e.text ?? "")));
    assert.deepEqual(results(trace).slice(2), ["settlement:approved:00"]);
  });

  it("a chosen code: a decline the terminal reports and does not reverse; the host never saw the request", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "code", code: "97" } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 <0210/000003/97 >0200/000004 <0210/000004/00`);
    assert.deepEqual(results(trace).slice(2), ["purchase:declined:97", "purchase:approved:00"]);
  });

  it("malformed: an undecodable answer; reversal reason 06", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "malformed", variant: "bad_content" } }, { op: "purchase", amount: 600 });
    assert.match(wire(trace), />0200\/000003 <\? >0400\/000003\/06/);
  });

  it("disconnect: half the answer, then the connection dropped; reversal reason 98 on a new connection", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "disconnect" } }, { op: "purchase", amount: 600 });
    assert.match(wire(trace), />0200\/000003 >0400\/000003\/98 <0410\/000003\/00/);
    const partial = trace.find((e) => e.kind === "link-error" && e.dir === "kit→sut");
    assert.equal(partial && detailOf(partial)?.code, "partial_frame");
    const conns = new Set(trace.filter((e) => e.kind === "frame").map((e) => e.conn));
    assert.equal(conns.size, 2);
  });

  it("close: the connection closed without a byte of answer; reversal reason 98 on a new connection", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "close" } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000003/98 <0410/000003/00 >0200/000004 <0210/000004/00`);
    assert.deepEqual(faults(trace), [{ fault: "close", mti: "0200", stan: "000003" }]);
    assert.ok(!trace.some((e) => e.kind === "link-error"), "not a byte of the answer went out");
    assert.deepEqual(results(trace).slice(2), ["purchase:failed", "purchase:approved:00"]);
  });

  it("close, against hangs-on-close: the terminal never reverses, and its commands end at their deadline", async () => {
    const trace = await runReferenceTerminal(cup, [{ op: "purchase", amount: 500, fault: { kind: "close" } }, { op: "purchase", amount: 600 }], { bug: "hangs-on-close" });
    assert.equal(wire(trace), `${SETUP} >0200/000003`);
    const unknown = trace.flatMap((e) => (e.kind === "control" && e.detail.result?.outcome === "unknown" ? [e.detail.result.message] : []));
    assert.equal(unknown.length, 2);
    assert.match(unknown[0] ?? "", /^no result within \d+ ms$/);
  });

  it("split: the answer in three segments, a pause apart, recorded whole when the last goes out; the terminal takes it", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "split" } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 <0210/000003/00 >0200/000004 <0210/000004/00`);
    const [fault] = faults(trace);
    assert.equal(fault.pauseMs, 100);
    assert.equal((fault.segments as number[]).length, 3);
    const request = trace.find((e) => e.kind === "frame" && messageOf(e)?.fields["11"] === "000003")!;
    const answer = trace.find((e) => e.kind === "frame" && messageOf(e)?.mti === "0210" && e.seq > request.seq)!;
    assert.equal(answer.t - request.t, 200);
    assert.equal(trace.filter((e) => e.kind === "link-error" && detailOf(e)?.code === "partial_frame").length, 2);
    assert.deepEqual(results(trace).slice(2), ["purchase:approved:00", "purchase:approved:00"]);
  });

  it("split, against reads-one-chunk: the first segment is a failed read, the terminal reverses at once; the kit still writes its answer whole", async () => {
    const trace = await runReferenceTerminal(cup, [{ op: "purchase", amount: 500, fault: { kind: "split" } }, { op: "purchase", amount: 600 }], { bug: "reads-one-chunk" });
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000003/98 <0410/000003/00 >0200/000004 <0210/000004/00 <0210/000003/00`);
    const ctx = terminalContext(cup, referenceTerminalTarget(cup));
    assert.deepEqual(T_REV_2.check({ role: "terminal", steps: [] }, trace, ctx).violations.map((v) => v.message), ["0200 purchase STAN 000003 got a valid answer (00) and was reversed all the same"]);
  });

  it("truncated approval: 00 in an answer cut after field 39, framed to the cut length; the correct terminal reverses (06)", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "truncated_approval" } }, { op: "purchase", amount: 600 });
    assert.match(wire(trace), />0200\/000003 <\? >0400\/000003\/06 <0410\/000003\/00 >0200\/000004/);
    const [fault] = faults(trace);
    assert.equal(fault.code, "00");
    const cut = trace.find((e) => e.kind === "frame" && e.dir === "kit→sut" && e.decodeError !== undefined)!;
    assert.equal(bytesOf(cut)!.length / 2, fault.bytes);
    assert.ok((fault.bytes as number) < (fault.of as number));
    assert.deepEqual(results(trace).slice(2), ["purchase:failed", "purchase:approved:00"]);
    const lax = await runReferenceTerminal(cup, [{ op: "purchase", amount: 500, fault: { kind: "truncated_approval" } }], { bug: "takes-truncated-approval" });
    assert.deepEqual(results(lax).slice(2), ["purchase:approved:00"]);
  });

  it("the answer lost, then its reversal's answer lost too: the terminal repeats the identical reversal", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "drop", reversalDrops: 2 } }, { op: "purchase", amount: 600 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000003/98 >0400/000003/98 >0400/000003/98 <0410/000003/00 >0200/000004 <0210/000004/00`);
    assert.equal(faults(trace).filter((f) => f?.mti === "0400").length, 2);
  });

  it("every reversal attempt unanswered: the terminal gives up after its attempts and the command fails", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "drop", reversalDrops: 3 } }, { op: "purchase", amount: 600 }, { op: "purchase", amount: 700 });
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000003/98 >0400/000003/98 >0400/000003/98 >0200/000004 <0210/000004/00`);
    assert.deepEqual(results(trace).slice(2), ["purchase:failed", "purchase:failed", "purchase:approved:00"]);
  });

  it("restart: the terminal is reopened on its store, and the pending reversal goes out first after it", async () => {
    const trace = await run({ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "restart" }, { op: "purchase", amount: 600 });
    assert.match(wire(trace), />0200\/000003 >0400\/000003\/98 <0410\/000003\/00 >0200\/000004/);
    assert.deepEqual(results(trace).slice(2), ["purchase:failed", "restart:approved", "purchase:approved:00"]);
  });

  it("void and refund refer to the last purchase the kit approved; a void with none is skipped", async () => {
    const trace = await run({ op: "void" }, { op: "purchase", amount: 500 }, { op: "refund", amount: 200 }, { op: "void" });
    assert.ok(trace.some((e) => e.kind === "note" && e.step === 0 && /void skipped/.test(e.text ?? "")));
    const commands = trace.flatMap((e) => (e.kind === "control" && e.detail.command ? [e.detail.command] : []));
    assert.deepEqual(commands.slice(2), [{ op: "purchase", amount: 500 }, { op: "refund", amount: 200, stan: "000003" }, { op: "void", stan: "000003", amount: 500 }]);
    // The host refuses to void a refunded purchase: a valid decline.
    assert.deepEqual(results(trace).slice(2), ["purchase:approved:00", "refund:approved:00", "void:declined:12"]);
  });

  it("ISO 87: reversals take a new STAN; their dropped answers are matched through field 90", async () => {
    const trace = await runReferenceTerminal(iso87, [{ op: "purchase", amount: 500, fault: { kind: "drop", reversalDrops: 1 } }, { op: "purchase", amount: 600 }]);
    assert.equal(wire(trace), `${SETUP} >0200/000003 >0400/000004/98 >0400/000004/98 <0410/000004/00 >0200/000005 <0210/000005/00`);
  });

  it("masks card data in the commands it records", async () => {
    const trace = await run({ op: "purchase", amount: 500, card: { bin: "622588", account: 1234567, length: 16, expiry: "2812", swiped: true } });
    const command = detailOf(trace.find((e) => e.kind === "control" && e.detail.op === "purchase")!)!.command as { card: Record<string, string> };
    assert.deepEqual(Object.keys(command.card), ["pan", "expiry", "track2"]);
    assert.match(command.card.pan, /^622588\*{6}\d{4}$/);
    assert.match(command.card.track2, /^622588\*{6}\d{4}=\*+$/);
    assert.equal(command.card.expiry, "****");
  });
});
