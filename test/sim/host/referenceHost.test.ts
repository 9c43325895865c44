import assert from "node:assert/strict";
import { BUILTIN_DIALECTS, builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import { decryptKey, keyCheckValue } from "../../../src/iso8583/mac.js";
import type { Message } from "../../../src/iso8583/message.js";
import { pack } from "../../../src/iso8583/pack.js";
import { parseBalance, responseMismatches, rulesOf, settlementBalanced, type Totals } from "../../../src/protocol/index.js";
import { DEFAULT_MAK, DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../../src/sim/defaults.js";
import { TRANSACTION_LIMIT } from "../../../src/sim/host/declineRules.js";
import { type HostFixture, hostFixture, TRANSPORTS } from "./support/hostFixture.js";
import { CARDS, ScriptedTerminal } from "./support/scriptedTerminal.js";
import type { HostOptions } from "../../../src/sim/host/hostOptions.js";

const totals = (debitCount: number, debitAmount: number, creditCount = 0, creditAmount = 0): Totals => ({ debitCount, debitAmount, creditCount, creditAmount });

for (const name of BUILTIN_DIALECTS) {
  for (const transport of TRANSPORTS) {
    describe(`reference host: ${name} over ${transport}`, function () {
      this.timeout(10_000);
      const d = builtinDialect(name);
      const cup = rulesOf(d).style === "cup";
      const codes = rulesOf(d).codes;
      let fx: HostFixture | undefined;
      let t: ScriptedTerminal;

      async function open(options: HostOptions = {}): Promise<void> {
        fx = await hostFixture(d, transport, options);
        t = new ScriptedTerminal(await fx.connect(), d);
      }
      afterEach(async () => {
        await fx?.close();
        fx = undefined;
      });

      const books = (tid = t.tid) => fx!.host.snapshot().terminals[tid];
      /** The totals of the batch the terminal is in (ISO 87: the host's open batch). */
      const batchTotals = (tid = t.tid) => books(tid).totals[cup ? t.batch : books(tid).batch] ?? totals(0, 0);
      const available = (pan: string) => fx!.host.snapshot().cards[pan]?.available;

      async function purchase(card = CARDS.rich, minor = 1000): Promise<{ request: Message; reply: Message }> {
        const request = t.request("purchase", { card, amount: minor });
        return { request, reply: await t.exchange(request) };
      }

      it("signs a terminal on: 0810 with the batch and, where the dialect has a MAC, working keys under the TMK", async () => {
        await open();
        const reply = await t.signOn();
        assert.equal(reply.mti, "0810");
        assert.match(reply.fields["12"], /^\d{6}$/);
        assert.match(reply.fields["37"], /^\d{12}$/);
        if (cup) {
          assert.equal(reply.fields["60"].slice(2, 8), "000001");
          assert.equal(reply.fields["60"].slice(8, 11), "001");
          const f62 = Buffer.from(reply.fields["62"], "hex");
          assert.equal(f62.length, 24, "single-DES layout: PIK(8)+KCV(4)+MAK(8)+KCV(4)");
          const mak = decryptKey(Buffer.from(DEFAULT_TMK, "hex"), f62.subarray(12, 20));
          assert.deepEqual(keyCheckValue(mak), f62.subarray(20, 24));
          assert.notDeepEqual(mak, Buffer.from(DEFAULT_MAK, "hex"));
          assert.ok(reply.fields["64"] !== undefined, "the reply to a MACed sign-on is MACed, under the new MAK");
        } else {
          assert.equal(reply.fields["70"], "001");
          assert.equal(reply.fields["62"], undefined);
        }
        assert.equal(books().signedOn, true);
        // The new MAK is in force: a purchase MACed with it is approved and its answer verifies.
        assert.equal((await purchase()).reply.fields["39"], codes.approved);
      });

      it("approves purchases with an RRN (37) and an authorisation code (38) unique per approval, echoing the request", async () => {
        await open();
        const rrns = new Set<string>();
        const auths = new Set<string>();
        for (const minor of [100, 2000, 30000]) {
          const { request, reply } = await purchase(CARDS.rich, minor);
          assert.equal(reply.mti, "0210");
          assert.equal(reply.fields["39"], codes.approved);
          assert.deepEqual(responseMismatches(d, request, reply), []);
          assert.match(reply.fields["37"], /^\d{12}$/);
          assert.match(reply.fields["38"], /^[0-9A-Z]{6}$/);
          if (cup) assert.ok(reply.fields["64"] !== undefined, "an approval of a MACed request carries a MAC");
          rrns.add(reply.fields["37"]);
          auths.add(reply.fields["38"]);
        }
        assert.equal(rrns.size, 3);
        assert.equal(auths.size, 3);
        assert.deepEqual(batchTotals(), totals(3, 32100));
        assert.equal(available(CARDS.rich.pan), 10_000_000 - 32100);
      });

      it("answers a balance inquiry with the available balance in field 54", async () => {
        await open();
        const balance = async (card = CARDS.poor) => t.exchange(t.request("balance", { card }));
        const first = await balance();
        assert.equal(first.fields["39"], codes.approved);
        assert.equal(parseBalance(first.fields["54"]), 1_000_000);
        await purchase(CARDS.poor, 2500);
        assert.equal(parseBalance((await balance()).fields["54"]), 997_500);
        assert.equal((await balance(CARDS.refused)).fields["39"], codes.do_not_honour);
      });

      it("declines by the documented rules, without an authorisation code, and posts nothing", async () => {
        await open();
        const cases = [
          { card: CARDS.refused, minor: 100, code: codes.do_not_honour, why: "PAN ends in 05" },
          { card: CARDS.rich, minor: 1251, code: codes.insufficient_funds, why: "amount ends in 51" },
          { card: CARDS.rich, minor: TRANSACTION_LIMIT + 1, code: codes.exceeds_limit, why: "above the limit" },
          { card: CARDS.poor, minor: 600_000, code: codes.approved, why: "within the 10,000.00 balance" },
          { card: CARDS.poor, minor: 600_000, code: codes.insufficient_funds, why: "above what is left of it" },
        ];
        for (const c of cases) {
          const { reply } = await purchase(c.card, c.minor);
          assert.equal(reply.fields["39"], c.code, c.why);
          if (c.code !== codes.approved) assert.equal(reply.fields["38"], undefined, c.why);
        }
        assert.deepEqual(batchTotals(), totals(1, 600_000));
        assert.equal(available(CARDS.poor.pan), 400_000);
      });

      it("refuses an unregistered terminal, or a registered one under another merchant, with the unknown-terminal code", async () => {
        await open();
        const stranger = new ScriptedTerminal(await fx!.connect(), d, UNREGISTERED_TERMINAL);
        const wrongMerchant = new ScriptedTerminal(await fx!.connect(), d, REGISTERED_TERMINALS[1], "999999999999999");
        for (const who of [stranger, wrongMerchant]) {
          const request = who.request("purchase", { card: CARDS.rich, amount: 500 });
          const reply = await who.exchange(request);
          assert.equal(reply.fields["39"], codes.unknown_terminal);
          assert.equal(reply.fields["64"], undefined, "no key to MAC with");
          assert.deepEqual(responseMismatches(d, request, reply), []);
        }
        const snapshot = fx!.host.snapshot();
        assert.equal(snapshot.terminals[UNREGISTERED_TERMINAL], undefined);
        assert.deepEqual(snapshot.terminals[REGISTERED_TERMINALS[1]].approved, []);
        assert.equal(available(CARDS.rich.pan), undefined, "no card was touched");
      });

      it("answers a malformed but framed request with the format error code, and keeps serving", async () => {
        await open();
        const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 }));
        await t.send(frame.subarray(0, frame.length - 5));
        const { message } = await t.reply();
        assert.equal(message.mti, "0210");
        assert.equal(message.fields["39"], codes.format_error);
        // Bytes with no MTI to answer get no answer; the connection and the host live on.
        await t.send(Buffer.from("garbage!garbage!", "latin1"));
        await t.noReply(150);
        assert.equal((await purchase()).reply.fields["39"], codes.approved);
        assert.deepEqual(batchTotals(), totals(1, 1000));
      });

      it("answers a request that lacks a required field with the format error code", async () => {
        await open();
        const request = t.request("purchase", { card: CARDS.rich, amount: 500 });
        delete request.fields["4"];
        assert.equal((await t.exchange(request)).fields["39"], codes.format_error);
        assert.deepEqual(books().approved, []);
      });

      if (cup) {
        it("answers a bad or missing MAC with the MAC error code, without a MAC, and posts nothing", async () => {
          await open();
          const frame = Buffer.from(t.frame(t.request("purchase", { card: CARDS.rich, amount: 500 })));
          frame[frame.length - 1] ^= 0x01;
          await t.send(frame);
          const bad = (await t.reply()).message;
          assert.equal(bad.fields["39"], codes.mac_error);
          assert.equal(bad.fields["64"], undefined);
          await t.send(pack(d, t.request("purchase", { card: CARDS.rich, amount: 500 })));
          assert.equal((await t.reply()).message.fields["39"], codes.mac_error);
          // Signed on, the old MAK no longer verifies.
          const oldMak = t.mak;
          await t.signOn();
          const stale = t.request("purchase", { card: CARDS.rich, amount: 500 });
          t.mak = oldMak;
          assert.equal((await t.exchange(stale)).fields["39"], codes.mac_error);
          assert.deepEqual(books().approved, []);
        });
      }

      it("declines a duplicate with the duplicate code and posts it once", async () => {
        await open();
        const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 700 }));
        await t.send(frame);
        await t.send(frame);
        const first = (await t.reply()).message;
        const second = (await t.reply()).message;
        assert.equal(first.fields["39"], codes.approved);
        assert.equal(second.fields["39"], codes.duplicate);
        assert.equal(second.fields["11"], first.fields["11"]);
        assert.deepEqual(batchTotals(), totals(1, 700));
      });

      it("with duplicates: replay, answers a duplicate with the first answer byte for byte and posts it once", async () => {
        await open({ duplicates: "replay" });
        const frame = t.frame(t.request("purchase", { card: CARDS.rich, amount: 700 }));
        await t.send(frame);
        await t.send(frame);
        const first = await t.reply();
        const second = await t.reply();
        assert.deepEqual(second.frame, first.frame);
        assert.deepEqual(batchTotals(), totals(1, 700));
      });

      it("reverses an approved purchase once: out of the totals, money back to the card; a repeat changes nothing", async () => {
        await open();
        await purchase(CARDS.poor, 5000);
        const { request } = await purchase(CARDS.poor, 1000);
        const reversal = t.frame(t.reversal(request));
        for (let i = 0; i < 2; i++) {
          await t.send(reversal);
          const ack = (await t.reply()).message;
          assert.equal(ack.mti, "0410");
          assert.equal(ack.fields["39"], codes.approved);
          assert.deepEqual(batchTotals(), totals(1, 5000));
          assert.equal(available(CARDS.poor.pan), 1_000_000 - 5000);
        }
        assert.deepEqual(books().reversed.map((x) => x.stan), [request.fields["11"]]);
      });

      it("answers the reversal of an unknown transaction 25, and of a declined one 00, changing nothing", async () => {
        await open();
        const ghost = t.request("purchase", { card: CARDS.rich, amount: 900 });
        assert.equal((await t.exchange(t.reversal(ghost))).fields["39"], codes.original_not_found);
        const { request, reply } = await purchase(CARDS.rich, 1251);
        assert.equal(reply.fields["39"], codes.insufficient_funds);
        assert.equal((await t.exchange(t.reversal(request))).fields["39"], codes.approved);
        assert.deepEqual(batchTotals(), totals(0, 0));
        assert.equal(available(CARDS.rich.pan), 10_000_000);
      });

      it("voids a standing purchase once; a void of an unknown purchase is 25", async () => {
        await open();
        const { request, reply } = await purchase(CARDS.rich, 4200);
        const original = t.originalRef(request, reply);
        const voided = await t.exchange(t.request("void", { card: CARDS.rich, amount: 4200, original }));
        assert.equal(voided.fields["39"], codes.approved);
        assert.match(voided.fields["37"], /^\d{12}$/);
        assert.notEqual(voided.fields["37"], reply.fields["37"]);
        assert.deepEqual(batchTotals(), totals(0, 0));
        assert.equal(available(CARDS.rich.pan), 10_000_000);
        const again = await t.exchange(t.request("void", { card: CARDS.rich, amount: 4200, original }));
        assert.equal(again.fields["39"], codes.invalid_transaction);
        const unknown = { ...original, stan: "777777", rrn: undefined };
        assert.equal((await t.exchange(t.request("void", { card: CARDS.rich, amount: 4200, original: unknown }))).fields["39"], codes.original_not_found);
        // The purchase's reversal is refused now that it is voided; reversing the void brings it back.
        assert.equal((await t.exchange(t.reversal(request))).fields["39"], codes.invalid_transaction);
        assert.deepEqual(batchTotals(), totals(0, 0));
      });

      it("reversing an approved void puts its purchase back", async () => {
        await open();
        const { request, reply } = await purchase(CARDS.rich, 4200);
        const voidRequest = t.request("void", { card: CARDS.rich, amount: 4200, original: t.originalRef(request, reply) });
        assert.equal((await t.exchange(voidRequest)).fields["39"], codes.approved);
        assert.equal((await t.exchange(t.reversal(voidRequest))).fields["39"], codes.approved);
        assert.deepEqual(batchTotals(), totals(1, 4200));
        assert.equal(available(CARDS.rich.pan), 10_000_000 - 4200);
      });

      it("refunds a purchase into the credit totals, never more than the purchase", async () => {
        await open();
        const { request, reply } = await purchase(CARDS.rich, 5000);
        const original = t.originalRef(request, reply);
        const refund = (minor: number) => t.exchange(t.request("refund", { card: CARDS.rich, amount: minor, original }));
        assert.equal((await refund(3000)).fields["39"], codes.approved);
        assert.equal((await refund(2001)).fields["39"], codes.exceeds_limit);
        assert.equal((await refund(2000)).fields["39"], codes.approved);
        assert.deepEqual(batchTotals(), totals(1, 5000, 2, 5000));
        assert.equal(available(CARDS.rich.pan), 10_000_000);
        const unknown = { ...original, stan: "777777", rrn: "999999999999" };
        assert.equal((await t.exchange(t.request("refund", { card: CARDS.rich, amount: 100, original: unknown }))).fields["39"], codes.original_not_found);
      });

      it("holds a pre-auth on the card, outside the totals; its reversal releases it", async () => {
        await open();
        const request = t.request("preauth", { card: CARDS.poor, amount: 800_000 });
        const reply = await t.exchange(request);
        assert.equal(reply.mti, "0110");
        assert.equal(reply.fields["39"], codes.approved);
        assert.equal(available(CARDS.poor.pan), 200_000);
        assert.equal((await purchase(CARDS.poor, 300_000)).reply.fields["39"], codes.insufficient_funds);
        assert.deepEqual(batchTotals(), totals(0, 0));
        assert.equal((await t.exchange(t.reversal(request))).fields["39"], codes.approved);
        assert.equal(available(CARDS.poor.pan), 1_000_000);
      });

      it("settles: balanced totals are answered balanced, others not, and the batch closes either way", async () => {
        await open();
        await t.signOn();
        await purchase(CARDS.rich, 1500);
        await purchase(CARDS.rich, 2500);
        const wrong = await t.exchange(t.request("settlement", { totals: totals(2, 4001) }));
        assert.equal(wrong.mti, "0510");
        assert.equal(settlementBalanced(d, wrong), false);
        if (cup) assert.equal(wrong.fields["48"][30], "2");
        else assert.equal(wrong.fields["39"], codes.reconcile_error);
        assert.equal(books().batch, "000002");
        // The closed batch still balances when the terminal counts right.
        const right = await t.exchange(t.request("settlement", { totals: totals(2, 4000) }));
        if (cup) {
          assert.equal(right.fields["48"][30], "1");
          assert.equal(settlementBalanced(d, right), true);
          assert.equal((await t.signOn()).fields["60"].slice(2, 8), "000002");
        } else {
          // ISO 87 carries no batch: the host settles its open batch, now the new, empty one.
          assert.equal(settlementBalanced(d, right), false);
          assert.equal(settlementBalanced(d, await t.exchange(t.request("settlement", { totals: totals(0, 0) }))), true);
        }
      });

      it("answers an echo test", async () => {
        await open();
        const reply = await t.exchange(t.request("echo"));
        assert.equal(reply.fields["39"], codes.approved);
        assert.equal(reply.mti, cup ? "0830" : "0810");
      });

      it("serves many terminals at once without losing an update", async () => {
        await open();
        const terminals = await Promise.all(REGISTERED_TERMINALS.map(async (tid) => new ScriptedTerminal(await fx!.connect(), d, tid)));
        const approvedBy = new Map<string, number>();
        await Promise.all(
          terminals.map(async (term) => {
            await term.signOn();
            let sum = 0;
            for (let i = 0; i < 40; i++) {
              const minor = 10_000 + 100 * i;
              const reply = await term.exchange(term.request("purchase", { card: CARDS.poor, amount: minor }));
              if (reply.fields["39"] === codes.approved) sum += minor;
            }
            approvedBy.set(term.tid, sum);
          }),
        );
        // 4 × 40 purchases of 100.00-139.00 ask for 18,720.00 from a card holding 10,000.00.
        const spent = [...approvedBy.values()].reduce((a, b) => a + b, 0);
        assert.ok(spent <= 1_000_000 && spent > 1_000_000 - 14_000, `spent ${spent}`);
        assert.equal(available(CARDS.poor.pan), 1_000_000 - spent);
        for (const [tid, sum] of approvedBy) {
          const b = books(tid);
          assert.equal(Object.values(b.totals).reduce((a, x) => a + x.debitAmount, 0), sum);
        }
      });
    });
  }
}
