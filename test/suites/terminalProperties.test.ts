import { decodeErrorOf } from "../../src/trace/traceEvent.js";
import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import type { Iso8583Error } from "../../src/iso8583/errors.js";
import type { FieldSpan, Message } from "../../src/iso8583/message.js";
import { pack } from "../../src/iso8583/pack.js";
import { unpack } from "../../src/iso8583/unpack.js";
import { buildRequest, buildResponse, buildReversal, settlementReply, type ReversalCause, type Totals } from "../../src/protocol/index.js";
import type { CheckContext } from "../../src/runner/property.js";
import type { TerminalScenario } from "../../src/scenario/scenario.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import { TraceBuilder } from "../helpers/traceBuilder.js";

// The terminal properties over hand-made traces: the terminal's requests come in (`receive`),
// the kit's answers go out (`send`). Each property fires on what it forbids and stays quiet on
// what a correct terminal may do.
const cup = builtinDialect("cup");
const iso87 = builtinDialect("iso87ascii");
const ctxOf = (dialect: Dialect): CheckContext => ({ dialect, responseTimeoutMs: 30_000, registeredTerminals: ["TERM0001"], reversalAttempts: 3 });
const scenario: TerminalScenario = { role: "terminal", steps: [] };
const now = new Date(Date.UTC(2026, 0, 15));
const card = { pan: "6225880012345678", expiry: "2812" };
const stanOf = (n: number) => String(n).padStart(6, "0");

const UNKNOWN_ORIGINAL = { mti: "0200", stan: "000000", batch: "000000", date: "0000", transmission: "0000000000" };
const request = (d: Dialect, op: "purchase" | "balance" | "refund" | "signon", n: number, amount = 500): Message =>
  buildRequest(d, {
    op,
    tid: "TERM0001",
    mid: "123456789012345",
    stan: stanOf(n),
    batch: "000001",
    now,
    card: op === "signon" ? undefined : card,
    amount: op === "purchase" || op === "refund" ? String(amount).padStart(12, "0") : undefined,
    original: op === "refund" ? UNKNOWN_ORIGINAL : undefined,
  });
const purchase = (n: number, amount = 500, d = cup) => request(d, "purchase", n, amount);
const voidOf = (n: number, original: Message, d = cup) =>
  buildRequest(d, { op: "void", tid: "TERM0001", mid: "123456789012345", stan: stanOf(n), batch: "000001", now, card, amount: original.fields["4"], original: { mti: "0200", stan: original.fields["11"], batch: "000001", date: "0115", transmission: "0115000000" } });
const settlement = (n: number, t: Partial<Totals> = {}, d = cup) =>
  buildRequest(d, { op: "settlement", tid: "TERM0001", mid: "123456789012345", stan: stanOf(n), batch: "000001", now, totals: { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0, ...t } });
const answer = (req: Message, code = "00", d = cup) => buildResponse(d, req, { code, fields: code === "00" && req.mti !== "0400" ? { "37": "RRN000000001", "38": "AUTH01" } : undefined });
const settled = (req: Message, d = cup) => buildResponse(d, req, { code: "00", fields: settlementReply(d, req, true) });
const reversal = (original: Message, cause: ReversalCause = "no_answer", d = cup, newStan?: string) => buildReversal(d, original, cause, { newStan, now });

function check(id: string, b: TraceBuilder, d: Dialect = cup) {
  const p = terminalSuite.properties.find((x) => x.id === id)!;
  return p.check(scenario, b.events, ctxOf(d)).violations;
}
const messages = (id: string, b: TraceBuilder, d: Dialect = cup) => check(id, b, d).map((v) => v.message);
const quiet = (b: TraceBuilder, d: Dialect = cup) => {
  for (const p of terminalSuite.properties) assert.deepEqual(p.check(scenario, b.events, ctxOf(d)).violations, [], p.id);
};
/** A terminal request the kit leaves unanswered, as the kit's fault event says. */
const dropped = (b: TraceBuilder, m: Message, conn = "c1") => b.receive(m, conn).fault("drop", { conn, mti: m.mti, stan: m.fields["11"] });
/** A request, answered at once. */
const exchange = (b: TraceBuilder, m: Message, a: Message = answer(m), conn = "c1") => b.receive(m, conn).send(a, conn);

describe("terminal properties over hand-made traces", () => {
  it("a clean run passes every property: sale, decline, dropped sale reversed once, settlement", () => {
    const b = new TraceBuilder();
    exchange(b, settlement(1), settled(settlement(1)));
    b.atStep(0);
    exchange(b, purchase(2));
    exchange(b, purchase(3, 5151), answer(purchase(3, 5151), "51"));
    dropped(b, purchase(4)).after(30_000);
    exchange(b, reversal(purchase(4)), answer(reversal(purchase(4))), "c2");
    exchange(b, settlement(5, { debitCount: 1, debitAmount: 500 }), settled(settlement(5, { debitCount: 1, debitAmount: 500 })), "c2");
    quiet(b);
  });

  describe("T-FMT-1", () => {
    it("an undecodable request", () => {
      const b = new TraceBuilder();
      b.events.push({ seq: 0, t: 0, dir: "sut→kit", kind: "frame", conn: "c1", bytes: "00", decodeError: { field: "t", offset: 0, kind: "truncated", reason: "MTI is 1 bytes, expecting 2" } });
      assert.match(messages("T-FMT-1", b)[0], /a request from the terminal does not decode: field t, offset 0/);
    });

    it("a STAN reused in the batch; a reversal with its original's STAN (CUP) and an identical repeat are not reuse", () => {
      const b = new TraceBuilder();
      exchange(b, purchase(1, 500), answer(purchase(1, 500), "51"));
      exchange(b, purchase(1, 700), answer(purchase(1, 700)));
      assert.deepEqual(messages("T-FMT-1", b), ["0200 purchase STAN 000001 reuses the STAN of 0200 purchase STAN 000001 in the same batch"]);
      const ok = new TraceBuilder();
      dropped(ok, purchase(1));
      dropped(ok, reversal(purchase(1)), "c2");
      exchange(ok, reversal(purchase(1)), answer(reversal(purchase(1))), "c3");
      assert.deepEqual(check("T-FMT-1", ok), []);
    });

    it("ISO 87: a reversal's own STAN must be new, and the batch starts again after a closing settlement", () => {
      const b = new TraceBuilder();
      dropped(b, purchase(1, 500, iso87));
      exchange(b, reversal(purchase(1, 500, iso87), "no_answer", iso87, "000001"), answer(reversal(purchase(1, 500, iso87), "no_answer", iso87, "000001"), "00", iso87), "c2");
      assert.equal(check("T-FMT-1", b, iso87).length, 1);
      const next = new TraceBuilder();
      exchange(next, purchase(1, 500, iso87), answer(purchase(1, 500, iso87), "00", iso87));
      exchange(next, settlement(2, { debitCount: 1, debitAmount: 500 }, iso87), settled(settlement(2, { debitCount: 1, debitAmount: 500 }, iso87), iso87));
      exchange(next, purchase(1, 600, iso87), answer(purchase(1, 600, iso87), "00", iso87));
      assert.deepEqual(check("T-FMT-1", next, iso87), []);
    });
  });

  describe("T-REV-1", () => {
    const unanswered: [string, (b: TraceBuilder, m: Message) => void][] = [
      ["no answer", (b, m) => dropped(b, m)],
      ["a late answer", (b, m) => b.receive(m).after(33_000).send(answer(m))],
      ["a bad MAC on an approval", (b, m) => b.receive(m).fault("bad_mac", { conn: "c1", mti: m.mti, stan: m.fields["11"] }).send(answer(m))],
      ["a mismatched echo", (b, m) => b.receive(m).send({ ...answer(m), fields: { ...answer(m).fields, "11": "999999" } })],
      ["an undecodable answer", (b, m) => b.receive(m).receiveUndecodable()],
    ];
    for (const [what, happen] of unanswered) {
      it(`${what}, then the next purchase without a reversal`, () => {
        const b = new TraceBuilder();
        happen(b, purchase(1));
        // The undecodable helper writes sut→kit; rewrite it as the kit's answer.
        for (const e of b.events) if (decodeErrorOf(e)) e.dir = "kit→sut";
        exchange(b, purchase(2), answer(purchase(2)), "c2");
        assert.match(messages("T-REV-1", b)[0], /^0200 purchase STAN 000001 got no valid answer \(.+\), and the terminal sent 0200 purchase STAN 000002 without reversing it$/);
      });
    }

    it("an answer too close to the timeout to tell is not judged; a decline needs no reversal", () => {
      const b = new TraceBuilder();
      b.receive(purchase(1)).after(29_900).send(answer(purchase(1)));
      exchange(b, purchase(2), answer(purchase(2), "05"));
      exchange(b, purchase(3));
      assert.deepEqual(check("T-REV-1", b), []);
    });

    it("the reversal after the next purchase; a pending reversal must also go before a settlement", () => {
      const after = new TraceBuilder();
      dropped(after, purchase(1));
      exchange(after, purchase(2), answer(purchase(2)), "c2");
      exchange(after, reversal(purchase(1)), answer(reversal(purchase(1))), "c2");
      assert.match(messages("T-REV-1", after)[0], /before reversing it$/);
      const settle = new TraceBuilder();
      dropped(settle, purchase(1));
      exchange(settle, settlement(2), settled(settlement(2)), "c2");
      assert.match(messages("T-REV-1", settle)[0], /sent 0500 settlement STAN 000002 without reversing it/);
    });

    it("the answer lost, then the reversal's answer lost too: the repeats count as one reversal", () => {
      const b = new TraceBuilder();
      dropped(b, purchase(1));
      dropped(b, reversal(purchase(1)), "c2");
      dropped(b, reversal(purchase(1)), "c3");
      exchange(b, reversal(purchase(1)), answer(reversal(purchase(1))), "c4");
      exchange(b, purchase(2), answer(purchase(2)), "c4");
      quiet(b);
    });

    it("a second reversal after the host answered the first", () => {
      const b = new TraceBuilder();
      dropped(b, purchase(1));
      exchange(b, reversal(purchase(1)), answer(reversal(purchase(1))), "c2");
      exchange(b, reversal(purchase(1)), answer(reversal(purchase(1))), "c2");
      assert.deepEqual(messages("T-REV-1", b), ["0200 purchase STAN 000001 was reversed 2 times: a reversal the host had answered was followed by another"]);
    });
  });

  it("T-REV-2: a reversal of a validly approved purchase", () => {
    const b = new TraceBuilder();
    exchange(b, purchase(1));
    exchange(b, reversal(purchase(1)), answer(reversal(purchase(1))));
    assert.deepEqual(messages("T-REV-2", b), ["0200 purchase STAN 000001 got a valid answer (00) and was reversed all the same"]);
  });

  describe("T-REV-3", () => {
    it("the reason must match what happened: A0 for a bad MAC, 98 for no answer; 06 or 98 for a mismatch", () => {
      const badMac = new TraceBuilder();
      badMac.receive(purchase(1)).fault("bad_mac", { conn: "c1", mti: "0200", stan: "000001" }).send(answer(purchase(1)));
      exchange(badMac, reversal(purchase(1), "no_answer"), answer(reversal(purchase(1))));
      assert.deepEqual(check("T-REV-3", badMac).map((v) => [v.expected, v.actual]), [["reason A0", "reason 98"]]);
      for (const cause of ["other", "no_answer"] as const) {
        const mismatch = new TraceBuilder();
        mismatch.receive(purchase(1)).send({ ...answer(purchase(1)), fields: { ...answer(purchase(1)).fields, "41": "TERM0009" } });
        exchange(mismatch, reversal(purchase(1), cause), answer(reversal(purchase(1))));
        assert.deepEqual(check("T-REV-3", mismatch), [], cause);
      }
    });

    it("a reversal naming a STAN the terminal never sent, or another amount; one before any transaction is left alone", () => {
      const b = new TraceBuilder();
      exchange(b, reversal(purchase(9)), answer(reversal(purchase(9))));
      dropped(b, purchase(1));
      exchange(b, reversal(purchase(7)), answer(reversal(purchase(7))), "c2");
      const wrongAmount = reversal(purchase(1));
      wrongAmount.fields["4"] = "000000000999";
      exchange(b, wrongAmount, answer(wrongAmount), "c2");
      assert.deepEqual(messages("T-REV-3", b), [
        "reversal STAN 000007 names STAN 000007, which the terminal did not send",
        "the reversal of 0200 purchase STAN 000001 carries amount (field 4) 000000000999, not 000000000500",
      ]);
    });
  });

  describe("T-REV-4", () => {
    it("more sends than the configured attempts", () => {
      const b = new TraceBuilder();
      dropped(b, purchase(1));
      for (let i = 2; i <= 5; i++) dropped(b, reversal(purchase(1)), `c${i}`);
      assert.deepEqual(check("T-REV-4", b).map((v) => v.actual), ["4 attempts"]);
    });

    it("an unanswered reversal not repeated before the next purchase; given up after every attempt is fine", () => {
      const once = new TraceBuilder();
      dropped(once, purchase(1));
      dropped(once, reversal(purchase(1)), "c2");
      exchange(once, purchase(2), answer(purchase(2)), "c3");
      assert.deepEqual(check("T-REV-4", once).map((v) => v.actual), ["1 attempt(s), then 0200 purchase STAN 000002"]);
      const all = new TraceBuilder();
      dropped(all, purchase(1));
      for (let i = 2; i <= 4; i++) dropped(all, reversal(purchase(1)), `c${i}`);
      exchange(all, purchase(2), answer(purchase(2)), "c5");
      assert.deepEqual(check("T-REV-4", all), []);
    });
  });

  describe("T-ECHO-1", () => {
    const mismatched = (b: TraceBuilder) => {
      b.atStep(0).control("purchase").receive(purchase(1)).send({ ...answer(purchase(1)), fields: { ...answer(purchase(1)).fields, "11": "000002" } });
      return b;
    };

    it("a mismatched approval the terminal reports as approved; reported as failed is right", () => {
      assert.match(messages("T-ECHO-1", mismatched(new TraceBuilder()).control("purchase", { outcome: "approved", code: "00" }))[0], /does not match it \(field 11 = 000002\), yet the terminal reported an approval/);
      assert.deepEqual(check("T-ECHO-1", mismatched(new TraceBuilder()).control("purchase", { outcome: "failed" })), []);
    });

    it("without a result to read (passive), going on unreversed shows it was taken for an approval", () => {
      const b = new TraceBuilder();
      b.receive(purchase(1)).send({ ...answer(purchase(1)), fields: { ...answer(purchase(1)).fields, "4": "000000000999" } });
      exchange(b, purchase(2));
      assert.match(messages("T-ECHO-1", b)[0], /went on to 0200 purchase STAN 000002 without reversing it/);
    });
  });

  describe("answers split, withheld by a close, or cut after field 39", () => {
    const faultOn = (b: TraceBuilder, kind: string, m: Message, detail: Record<string, unknown> = {}) => b.fault(kind, { conn: "c1", mti: m.mti, stan: m.fields["11"], ...detail });

    it("split (T-REV-2): an answer in segments is a valid answer; reversing it is the violation", () => {
      const split = (b: TraceBuilder) => faultOn(b.receive(purchase(1)), "split", purchase(1), { segments: [2, 50, 60], pauseMs: 100 }).after(200).send(answer(purchase(1)));
      const taken = split(new TraceBuilder());
      exchange(taken, purchase(2));
      quiet(taken);
      const reversed = split(new TraceBuilder());
      exchange(reversed, reversal(purchase(1)), answer(reversal(purchase(1))), "c2");
      assert.deepEqual(messages("T-REV-2", reversed), ["0200 purchase STAN 000001 got a valid answer (00) and was reversed all the same"]);
    });

    it("close (T-REV-1): no answer, reversed before the next purchase; a terminal that sends nothing for its next command has hung", () => {
      const closed = (b: TraceBuilder) => {
        b.atStep(0).control("purchase");
        faultOn(b.receive(purchase(1)), "close", purchase(1));
        return b;
      };
      const reversing = closed(new TraceBuilder()).control("purchase", { outcome: "failed" }).atStep(1).control("purchase");
      exchange(reversing, reversal(purchase(1)), answer(reversal(purchase(1))), "c2");
      exchange(reversing, purchase(2), answer(purchase(2)), "c2");
      quiet(reversing.control("purchase", { outcome: "approved", code: "00" }));
      // Lazy reversal: without a next transaction, none is due yet; a command the terminal refuses itself is no hang.
      quiet(closed(new TraceBuilder()).control("purchase", { outcome: "failed" }));
      quiet(closed(new TraceBuilder()).control("purchase", { outcome: "failed" }).atStep(1).control("void").control("void", { outcome: "failed", message: "no such sale" }));
      const hung = closed(new TraceBuilder()).control("purchase", { outcome: "unknown", message: "no result within 145000 ms" });
      hung.atStep(1).control("purchase").after(145_000).control("purchase", { outcome: "unknown", message: "no result within 145000 ms" });
      assert.deepEqual(check("T-REV-1", hung).map((v) => [v.message, v.actual]), [
        [
          "0200 purchase STAN 000001 got no valid answer (the host closed the connection without answering), and the terminal never reversed it: asked for a purchase next, it sent nothing and gave no result (no result within 145000 ms)",
          "no reversal, and no request for the purchase: the terminal hung",
        ],
      ]);
    });

    describe("truncated approval (T-ECHO-1)", () => {
      /** The kit's answer to `m` with 00, cut after field 39 and framed to the cut length, as the trace records it. */
      const cutAnswer = (b: TraceBuilder, m: Message) => {
        const whole = pack(cup, answer(m));
        const spans: FieldSpan[] = [];
        unpack(cup, whole, spans);
        const cut = whole.subarray(0, spans.find((s) => s.field === "39")!.end);
        const error = (() => {
          try {
            unpack(cup, cut);
          } catch (e) {
            return (e as Iso8583Error).toJSON();
          }
          throw new Error("the cut answer decodes");
        })();
        faultOn(b, "truncated_approval", m, { code: "00" });
        b.events.push({ seq: b.events.length, t: b.t, dir: "kit→sut", kind: "frame", conn: "c1", bytes: cut.toString("hex").toUpperCase(), decodeError: { ...error, offset: error.offset! } });
        return b;
      };
      const truncated = () => cutAnswer(new TraceBuilder().atStep(0).control("purchase").receive(purchase(1)), purchase(1));

      it("reported as failed and reversed is right; reported as approved is the violation, said in so many words", () => {
        const refused = truncated().control("purchase", { outcome: "failed" });
        exchange(refused, reversal(purchase(1), "other"), answer(reversal(purchase(1))), "c2");
        quiet(refused);
        assert.deepEqual(messages("T-ECHO-1", truncated().control("purchase", { outcome: "approved", code: "00" })), [
          "the answer to 0200 purchase STAN 000001 is truncated but carries 00, yet the terminal reported an approval: a truncated answer was taken for an approval",
        ]);
      });

      it("without a result to read, going on unreversed shows it; T-REV-1 says what the answer was", () => {
        const b = cutAnswer(new TraceBuilder().receive(purchase(1)), purchase(1));
        exchange(b, purchase(2), answer(purchase(2)), "c1");
        assert.match(messages("T-ECHO-1", b)[0], /went on to 0200 purchase STAN 000002 without reversing it, as after an approval: a truncated answer was taken for an approval$/);
        assert.match(messages("T-REV-1", b)[0], /got no valid answer \(the answer is truncated \(field data is 0 bytes, expecting 8: field 41\), though it carries response code 00\)/);
      });

      it("an undecodable answer without a code in it is not judged", () => {
        const b = new TraceBuilder().atStep(0).control("purchase").receive(purchase(1)).receiveUndecodable();
        for (const e of b.events) if (decodeErrorOf(e)) e.dir = "kit→sut";
        b.control("purchase", { outcome: "approved", code: "00" });
        assert.deepEqual(check("T-ECHO-1", b), []);
      });
    });
  });

  describe("T-RC-1", () => {
    it("a decline reversed, or reported as approved", () => {
      const b = new TraceBuilder();
      b.atStep(0).control("purchase");
      exchange(b, purchase(1), answer(purchase(1), "51"));
      b.control("purchase", { outcome: "approved" });
      exchange(b, reversal(purchase(1), "other"), answer(reversal(purchase(1))));
      assert.deepEqual(messages("T-RC-1", b), ["0200 purchase STAN 000001 was declined (51) and reversed all the same", "0200 purchase STAN 000001 was declined (51), yet the terminal reported an approval"]);
    });

    it("97 retried without a new command; after a new command it is the operator's retry", () => {
      const auto = new TraceBuilder();
      auto.atStep(0).control("purchase");
      exchange(auto, purchase(1), answer(purchase(1), "97"));
      exchange(auto, purchase(2), answer(purchase(2), "97"));
      assert.match(messages("T-RC-1", auto)[0], /refused with 97 \(terminal not registered\), and the terminal sent 0200 purchase STAN 000002 on its own/);
      const asked = new TraceBuilder();
      asked.atStep(0).control("purchase");
      exchange(asked, purchase(1), answer(purchase(1), "97"));
      asked.atStep(1).control("purchase");
      exchange(asked, purchase(2), answer(purchase(2), "97"));
      assert.deepEqual(check("T-RC-1", asked), []);
    });
  });

  describe("T-SET-1", () => {
    const opened = () => {
      const b = new TraceBuilder();
      exchange(b, settlement(1), settled(settlement(1)));
      return b;
    };

    it("totals other than the approvals, less voids and reversals", () => {
      const b = opened();
      exchange(b, purchase(2, 500));
      exchange(b, purchase(3, 700));
      exchange(b, voidOf(4, purchase(3, 700)));
      exchange(b, request(cup, "refund", 5, 200));
      dropped(b, purchase(6, 900));
      exchange(b, reversal(purchase(6, 900)), answer(reversal(purchase(6, 900))), "c2");
      const right = { debitCount: 1, debitAmount: 500, creditCount: 1, creditAmount: 200 };
      const good = settlement(7, right);
      exchange(b, good, settled(good), "c2");
      assert.deepEqual(check("T-SET-1", b), []);
      const bad = settlement(8, { debitCount: 2, debitAmount: 1200 });
      const wrong = opened();
      exchange(wrong, purchase(2, 500));
      exchange(wrong, purchase(3, 700));
      exchange(wrong, voidOf(4, purchase(3, 700)));
      exchange(wrong, bad, settled(bad));
      assert.deepEqual(check("T-SET-1", wrong).map((v) => [v.expected, v.actual]), [["debits 1/5.00, credits 0/0.00", "debits 2/12.00, credits 0/0.00"]]);
    });

    it("a batch whose start is not in the trace, or with an unanswered reversal of an approval, is not judged", () => {
      const b = new TraceBuilder();
      exchange(b, purchase(2, 500));
      exchange(b, settlement(3), settled(settlement(3)));
      assert.deepEqual(check("T-SET-1", b), []);
      const unknown = opened();
      exchange(unknown, purchase(2, 500));
      dropped(unknown, reversal(purchase(2, 500)));
      exchange(unknown, settlement(3), settled(settlement(3)), "c2");
      assert.deepEqual(check("T-SET-1", unknown), []);
    });
  });
});
