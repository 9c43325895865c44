import assert from "node:assert/strict";
import type { Dialect } from "../../../../src/iso8583/dialect.js";
import type { RequestOperation } from "../../../../src/iso8583/dialectTable.js";
import { checkMac, packWithMac } from "../../../../src/iso8583/macMessage.js";
import type { Message } from "../../../../src/iso8583/message.js";
import { pack } from "../../../../src/iso8583/pack.js";
import { unpack } from "../../../../src/iso8583/unpack.js";
import type { Link } from "../../../../src/link/link.js";
import { batchOf, buildRequest, buildReversal, decodeWorkingKeys, type Card, type OriginalRef, type Totals } from "../../../../src/protocol/index.js";
import { DEFAULT_MAK, DEFAULT_TMK, FIRST_BATCH, MERCHANT_ID, REGISTERED_TERMINALS } from "../../../../src/sim/defaults.js";

/** Cards aimed at the decline rules: the second-to-last PAN digit sets the opening balance. */
export const CARDS = {
  /** Opening balance 100,000.00; swiped. */
  rich: { pan: "6225880012345690", expiry: "2812", track2: "6225880012345690=28121010000" } as Card,
  /** Opening balance 10,000.00; keyed. */
  poor: { pan: "6225880012345601", expiry: "2812" } as Card,
  /** Ends in 05: do not honour. */
  refused: { pan: "6225880012345605", expiry: "2812" } as Card,
};

export const amount = (minor: number) => String(minor).padStart(12, "0");

/**
 * A terminal played by a test, step by step: it numbers STANs, keeps the batch and the MAK a
 * sign-on hands out, MACs what it sends where the dialect has a MAC, and decodes answers.
 */
export class ScriptedTerminal {
  private stan = 0;
  batch = FIRST_BATCH;
  mak: Buffer = Buffer.from(DEFAULT_MAK, "hex");

  constructor(
    readonly link: Link,
    readonly dialect: Dialect,
    readonly tid: string = REGISTERED_TERMINALS[0],
    readonly mid: string = MERCHANT_ID,
    readonly tmk: Buffer = Buffer.from(DEFAULT_TMK, "hex"),
  ) {}

  nextStan(): string {
    this.stan = (this.stan % 999_999) + 1;
    return String(this.stan).padStart(6, "0");
  }

  request(op: RequestOperation, p: { card?: Card; amount?: number; original?: OriginalRef; totals?: Totals; now?: Date } = {}): Message {
    return buildRequest(this.dialect, {
      op,
      tid: this.tid,
      mid: this.mid,
      stan: this.nextStan(),
      batch: this.batch,
      now: p.now ?? new Date(),
      card: p.card,
      amount: p.amount === undefined ? undefined : amount(p.amount),
      original: p.original,
      totals: p.totals,
    });
  }

  /** The reversal of `original` as a correct terminal builds it (a new STAN where the dialect wants one). */
  reversal(original: Message, now = new Date()): Message {
    return buildReversal(this.dialect, original, "no_answer", { newStan: this.nextStan(), now });
  }

  /** What a void or refund of `purchase` names, from the purchase and its approval. */
  originalRef(purchase: Message, approval: Message): OriginalRef {
    return {
      mti: purchase.mti,
      stan: purchase.fields["11"],
      batch: batchOf(this.dialect, purchase) ?? this.batch,
      date: purchase.fields["13"] ?? "0101",
      transmission: purchase.fields["7"] ?? "0000000000",
      rrn: approval.fields["37"],
      auth: approval.fields["38"],
    };
  }

  frame(m: Message): Buffer {
    return this.dialect.table.mac === null ? pack(this.dialect, m) : packWithMac(this.dialect, m, this.mak);
  }

  async send(frame: Buffer): Promise<void> {
    await this.link.send(frame);
  }

  /** The next answer, decoded; fails the test if none comes within `deadlineMs`. */
  async reply(deadlineMs = 3000): Promise<{ message: Message; frame: Buffer }> {
    const got = await this.link.receive({ deadlineMs });
    assert.equal(got.kind, "frame", `expected an answer, got ${JSON.stringify(got)}`);
    const frame = got.kind === "frame" ? Buffer.from(got.body) : Buffer.alloc(0);
    return { message: unpack(this.dialect, frame), frame };
  }

  /** Asserts nothing arrives for `ms`. */
  async noReply(ms: number): Promise<void> {
    const got = await this.link.receive({ deadlineMs: ms });
    assert.equal(got.kind, "timeout", `expected no answer, got ${got.kind === "frame" ? got.body.toString("hex") : got.kind}`);
  }

  /** Sends `m` and returns the answer; an answer that carries a MAC must verify under the current MAK. */
  async exchange(m: Message): Promise<Message> {
    await this.send(this.frame(m));
    const { message, frame } = await this.reply();
    if (message.fields["64"] !== undefined) this.assertMac(frame, message);
    return message;
  }

  assertMac(frame: Buffer, message: Message): void {
    assert.equal(checkMac(this.dialect, frame, message, this.mak), "ok", `the MAC of ${message.mti} does not verify under the terminal's MAK`);
  }

  /**
   * Signs on and adopts what the reply hands out: the batch (CUP 60.2) and the working keys
   * (field 62), under which the reply's own MAC must verify.
   */
  async signOn(): Promise<Message> {
    await this.send(this.frame(this.request("signon")));
    const { message, frame } = await this.reply();
    assert.equal(message.fields["39"], "00");
    this.batch = batchOf(this.dialect, message) ?? this.batch;
    if (message.fields["62"] !== undefined) this.mak = decodeWorkingKeys(this.tmk, message.fields["62"]).mak;
    if (message.fields["64"] !== undefined) this.assertMac(frame, message);
    return message;
  }
}
