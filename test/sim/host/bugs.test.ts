import assert from "node:assert/strict";
import { builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import type { Message } from "../../../src/iso8583/message.js";
import { unpack } from "../../../src/iso8583/unpack.js";
import { adviceRule, parseBalance, responseMismatches, rulesOf, settlementBalanced, type Totals } from "../../../src/protocol/index.js";
import { VirtualClock } from "../../../src/link/virtualClock.js";
import { UNREGISTERED_TERMINAL } from "../../../src/sim/defaults.js";
import { sendInSegments } from "../../../src/link/sendInSegments.js";
import { hostileAmountFrame } from "../../../src/roles/hostileAmount.js";
import { malformed } from "../../../src/roles/malformed.js";
import { HOST_BUGS, hostBug, type HostBugName } from "../../../src/sim/host/bugs.js";
import { type HostFixture, hostFixture } from "./support/hostFixture.js";
import { CARDS, ScriptedTerminal } from "./support/scriptedTerminal.js";

/** The kit's response timeout: the CUP default wait per attempt (docs/protocol-notes.md §2.7). */
const KIT_TIMEOUT_MS = 30_000;

const totals = (debitCount: number, debitAmount: number): Totals => ({ debitCount, debitAmount, creditCount: 0, creditAmount: 0 });

/** The next answer within `ms` of clock time, or undefined. */
async function answerWithin(t: ScriptedTerminal, ms: number): Promise<Message | undefined> {
  const got = await t.link.receive({ deadlineMs: ms });
  return got.kind === "frame" ? unpack(t.dialect, got.body) : undefined;
}

/** The card's available balance as the host reports it on a balance inquiry (field 54). */
async function balanceOf(t: ScriptedTerminal): Promise<number> {
  const reply = await t.exchange(t.request("balance", { card: CARDS.rich }));
  return parseBalance(reply.fields["54"])!;
}

/** After what `t` sent, the host answers nothing, even another terminal on its own connection. */
async function otherTerminalUnanswered(fx: HostFixture, t: ScriptedTerminal): Promise<boolean> {
  await answerWithin(t, KIT_TIMEOUT_MS);
  const other = new ScriptedTerminal(await fx.connect(), t.dialect, "TERM0002");
  await other.send(other.frame(other.request("purchase", { card: CARDS.rich, amount: 500 })));
  return (await answerWithin(other, KIT_TIMEOUT_MS)) === undefined;
}

/** A purchase of 5.00, then its reversal sent twice, each acknowledged (00). */
async function purchaseReversedTwice(t: ScriptedTerminal): Promise<void> {
  const purchase = t.request("purchase", { card: CARDS.rich, amount: 500 });
  await t.exchange(purchase);
  const reversal = t.frame(t.reversal(purchase));
  for (let i = 0; i < 2; i++) {
    await t.send(reversal);
    assert.equal((await t.reply()).message.fields["39"], "00");
  }
}

/** `frame` sent by `t` and, at the same moment, by its twin on a second connection: the two answers. */
async function sentOnTwoConnections(fx: HostFixture, t: ScriptedTerminal, frame: Buffer): Promise<[Message, Message]> {
  const twin = new ScriptedTerminal(await fx.connect(), t.dialect, t.tid);
  await Promise.all([t.send(frame), twin.send(frame)]);
  return [(await t.reply()).message, (await twin.reply()).message];
}

/**
 * One observation per seeded bug, made over the wire as the kit would make it: true when the
 * host misbehaves as the bug says. Each runs against the correct host (must be false) and the
 * bugged one (must be true), so a demo cannot pass by observing nothing.
 */
const misbehaves: Record<HostBugName, (fx: HostFixture, t: ScriptedTerminal, clock: VirtualClock) => Promise<boolean>> = {
  async "rrn-wraps"(_fx, t) {
    // 65 approvals: past the 64 the bug hands out, an RRN comes round again.
    const rrns = new Set<string>();
    for (let i = 0; i < 65; i++) rrns.add((await t.exchange(t.request("purchase", { card: CARDS.rich, amount: 100 }))).fields["37"]);
    return rrns.size < 65;
  },
  async "approve-unknown-tid"(fx, t) {
    const stranger = new ScriptedTerminal(await fx.connect(), t.dialect, UNREGISTERED_TERMINAL);
    const reply = await stranger.exchange(stranger.request("purchase", { card: CARDS.rich, amount: 500 }));
    return reply.fields["39"] !== rulesOf(t.dialect).codes.unknown_terminal;
  },
  async "double-post-duplicate"(fx, t) {
    const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 }));
    await t.send(frame);
    await t.send(frame);
    const [first, second] = [(await t.reply()).message, (await t.reply()).message];
    return second.fields["39"] === rulesOf(t.dialect).codes.approved && second.fields["37"] !== first.fields["37"];
  },
  async "reversal-ignored"(_fx, t) {
    const purchase = t.request("purchase", { card: CARDS.rich, amount: 500 });
    await t.exchange(purchase);
    assert.equal((await t.exchange(t.reversal(purchase))).fields["39"], "00");
    return !settlementBalanced(t.dialect, await t.exchange(t.request("settlement", { totals: totals(0, 0) })));
  },
  async "reversal-not-idempotent"(_fx, t) {
    await t.exchange(t.request("purchase", { card: CARDS.rich, amount: 800 }));
    await purchaseReversedTwice(t);
    return !settlementBalanced(t.dialect, await t.exchange(t.request("settlement", { totals: totals(1, 800) })));
  },
  async "wrong-stan-echo"(_fx, t) {
    const request = t.request("purchase", { card: CARDS.rich, amount: 500 });
    return responseMismatches(t.dialect, request, await t.exchange(request)).some((m) => m.field === "11");
  },
  async "drop-field-41"(_fx, t) {
    const reply = await t.exchange(t.request("balance", { card: CARDS.rich }));
    return reply.fields["41"] === undefined;
  },
  async "crash-on-malformed"(fx, t) {
    const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 }));
    await t.send(frame.subarray(0, frame.length - 5));
    return otherTerminalUnanswered(fx, t);
  },
  async "dies-on-header-only"(fx, t) {
    await t.send(malformed(t.frame(t.request("echo")), "header_only", t.dialect.headerBytes));
    return otherTerminalUnanswered(fx, t);
  },
  async "drops-split-request"(_fx, t) {
    const raw = t.link.framing.encode(t.frame(t.request("echo")));
    await sendInSegments(t.link, raw, [raw.length >> 1], 50);
    return (await answerWithin(t, KIT_TIMEOUT_MS)) === undefined;
  },
  async "drops-pipelined"(_fx, t) {
    const raw = () => t.link.framing.encode(t.frame(t.request("echo")));
    await t.link.sendRaw(Buffer.concat([raw(), raw()]));
    assert.ok((await answerWithin(t, KIT_TIMEOUT_MS)) !== undefined, "the first is answered");
    return (await answerWithin(t, KIT_TIMEOUT_MS)) === undefined;
  },
  async "keeps-last-pipelined"(_fx, t) {
    const first = t.request("echo");
    const second = t.request("echo");
    await t.link.sendRaw(Buffer.concat([first, second].map((m) => t.link.framing.encode(t.frame(m)))));
    // The correct host answers both in order; the bugged one the second only.
    return (await answerWithin(t, KIT_TIMEOUT_MS))?.fields["11"] === second.fields["11"] && (await answerWithin(t, KIT_TIMEOUT_MS)) === undefined;
  },
  async "lax-amount"(_fx, t) {
    const purchase = t.request("purchase", { card: CARDS.rich, amount: 1000 });
    await t.send(hostileAmountFrame(t.dialect, t.frame(purchase), purchase, "negative", t.mak)!.frame);
    return (await answerWithin(t, KIT_TIMEOUT_MS))?.fields["39"] === rulesOf(t.dialect).codes.approved;
  },
  async "declines-whole-balance"(_fx, t) {
    // The poor card opens with 10,000.00, the transaction limit too: all of it, in one purchase.
    const reply = await t.exchange(t.request("purchase", { card: CARDS.poor, amount: 1_000_000 }));
    return reply.fields["39"] === rulesOf(t.dialect).codes.insufficient_funds;
  },
  async "dies-on-zero-amount"(fx, t) {
    await t.send(t.frame(t.request("purchase", { card: CARDS.rich, amount: 0 })));
    return otherTerminalUnanswered(fx, t);
  },
  async "wraps-large-amount"(_fx, t) {
    const reply = await t.exchange(t.request("purchase", { card: CARDS.rich, amount: 999_999_999_999 }));
    return reply.fields["39"] === rulesOf(t.dialect).codes.approved;
  },
  async "double-posts-advice-repeat"(_fx, t) {
    const advice = t.request("advice", { card: CARDS.rich, amount: 500 });
    const first = await t.exchange(advice);
    const second = await t.exchange({ ...advice, mti: adviceRule(t.dialect)!.repeat_mti ?? advice.mti });
    return second.fields["39"] === rulesOf(t.dialect).codes.approved && second.fields["37"] !== first.fields["37"];
  },
  async "settle-miscount"(_fx, t) {
    await t.exchange(t.request("purchase", { card: CARDS.rich, amount: 1000 }));
    assert.equal((await t.exchange(t.request("purchase", { card: CARDS.rich, amount: 1251 }))).fields["39"], "51");
    return !settlementBalanced(t.dialect, await t.exchange(t.request("settlement", { totals: totals(1, 1000) })));
  },
  async "duplicate-debits-card"(_fx, t) {
    const before = await balanceOf(t);
    const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 }));
    await t.send(frame);
    await t.send(frame);
    await t.reply();
    await t.reply();
    return before - (await balanceOf(t)) !== 500;
  },
  async "repeated-reversal-credits"(_fx, t) {
    const before = await balanceOf(t);
    await purchaseReversedTwice(t);
    return (await balanceOf(t)) !== before;
  },
  async "unknown-reversal-credits"(_fx, t) {
    const before = await balanceOf(t);
    const ghost = t.request("purchase", { card: CARDS.rich, amount: 500 });
    assert.equal((await t.exchange(t.reversal(ghost))).fields["39"], rulesOf(t.dialect).codes.original_not_found);
    return (await balanceOf(t)) !== before;
  },
  async "racy-duplicate-check"(fx, t) {
    const answers = await sentOnTwoConnections(fx, t, t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 })));
    return answers.every((m) => m.fields["39"] === rulesOf(t.dialect).codes.approved) && answers[0].fields["37"] !== answers[1].fields["37"];
  },
  async "racy-double-reversal"(fx, t) {
    const purchase = t.request("purchase", { card: CARDS.rich, amount: 800 });
    await t.exchange(purchase);
    for (const m of await sentOnTwoConnections(fx, t, t.frame(t.reversal(purchase)))) assert.equal(m.fields["39"], "00");
    return !settlementBalanced(t.dialect, await t.exchange(t.request("settlement", { totals: totals(0, 0) })));
  },
  async "crossed-answers"(fx, t) {
    const twin = new ScriptedTerminal(await fx.connect(), t.dialect, "TERM0002");
    const mine = t.request("echo");
    await Promise.all([t.send(t.frame(mine)), twin.send(twin.frame(twin.request("echo")))]);
    // The correct host answers each on its own connection; the bugged one both on the one that spoke last.
    const own = await answerWithin(t, KIT_TIMEOUT_MS);
    return own?.fields["41"] !== mine.fields["41"];
  },
  async "rrn-per-terminal"(fx, t) {
    const other = new ScriptedTerminal(await fx.connect(), t.dialect, "TERM0002");
    const rrn = async (x: ScriptedTerminal) => (await x.exchange(x.request("purchase", { card: CARDS.rich, amount: 500 }))).fields["37"];
    return (await rrn(t)) === (await rrn(other));
  },
  async "slow-response"(_fx, t, clock) {
    const sentAt = clock.now();
    await t.send(t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 })));
    assert.ok((await answerWithin(t, 10 * KIT_TIMEOUT_MS)) !== undefined, "answered in the end");
    return clock.now() - sentAt > KIT_TIMEOUT_MS;
  },
};

describe("reference host: seeded bugs", function () {
  this.timeout(10_000);

  it("names each bug once, with the properties it violates", () => {
    assert.equal(new Set(HOST_BUGS.map((b) => b.name)).size, HOST_BUGS.length);
    for (const b of HOST_BUGS) assert.match(b.violates.join(","), /^H-[A-Z]+-\d+(,H-[A-Z]+-\d+)*$/, b.name);
    assert.throws(() => hostBug("no-such-bug"), /^Error: unknown host bug "no-such-bug": expected one of approve-unknown-tid, /);
  });

  for (const name of ["cup", "iso87ascii"]) {
    const dialect = builtinDialect(name);
    for (const bug of HOST_BUGS) {
      it(`${name}: ${bug.name} (${bug.violates.join(", ")}) ${bug.description}`, async () => {
        for (const withBug of [false, true]) {
          // In memory on a virtual clock: a 35 s hold or a 30 s wait for nothing costs no real time.
          const clock = new VirtualClock();
          clock.start();
          const fx = await hostFixture(dialect, "memory", { clock, bug: withBug ? bug.name : undefined });
          try {
            const t = new ScriptedTerminal(await fx.connect(), dialect);
            assert.equal(await misbehaves[bug.name](fx, t, clock), withBug, withBug ? "the bugged host behaves correctly" : "the correct host misbehaves");
          } finally {
            await fx.close();
            clock.stop();
          }
        }
      });
    }
  }
});
