import { messageOf } from "../../src/trace/traceEvent.js";
import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import type { Message } from "../../src/iso8583/message.js";
import { buildRequest, buildResponse, buildReversal, formatBalance, settlementReply } from "../../src/protocol/index.js";
import type { CheckContext, Property } from "../../src/runner/property.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import { hostSuite } from "../../suites/host/index.js";
import { TraceBuilder } from "../helpers/traceBuilder.js";
import { profiledDialect } from "../helpers/profiledDialect.js";

const d = builtinDialect("iso87ascii");
const ctx: CheckContext = { dialect: d, responseTimeoutMs: 30_000, registeredTerminals: ["TERM0001"] };
const scenario: HostScenario = { role: "host", terminals: ["TERM0001"], steps: [] };
const now = new Date(Date.UTC(2026, 0, 15));
const prop = (id: string): Property => hostSuite.properties.find((p) => p.id === id)!;
const check = (id: string, b: TraceBuilder) => prop(id).check(scenario, b.events, ctx).violations;

let stan = 0;
function purchase(amount = 500, tid = "TERM0001"): Message {
  stan++;
  return buildRequest(d, { op: "purchase", tid, mid: "123456789012345", stan: String(stan).padStart(6, "0"), batch: "000001", now, card: { pan: "6225880012345678", expiry: "2812" }, amount: String(amount).padStart(12, "0") });
}
const approve = (req: Message, rrn = `RRN${req.fields["11"]}`.padEnd(12, "0")) => buildResponse(d, req, { code: "00", fields: { "37": rrn, "38": "AUTH01" } });
const settle = (debits: number, amount: number, tid = "TERM0001") =>
  buildRequest(d, { op: "settlement", tid, mid: "123456789012345", stan: "000999", batch: "000001", now, totals: { debitCount: debits, debitAmount: amount, creditCount: 0, creditAmount: 0 } });

describe("host properties over hand-made traces", () => {
  it("a clean exchange passes every property", () => {
    const req = purchase();
    const s = settle(1, 500);
    const b = new TraceBuilder().atStep(0).send(req).after(10).receive(approve(req)).send(s).receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, true) }));
    for (const p of hostSuite.properties) assert.deepEqual(p.check(scenario, b.events, ctx).violations, [], p.id);
  });

  it("each property counts the occasions its rule applied: none in an empty trace, only its own in a clean exchange", () => {
    const judged = (b: TraceBuilder) => Object.fromEntries(hostSuite.properties.map((p) => [p.id, p.check(scenario, b.events, ctx).judged]));
    assert.ok(Object.values(judged(new TraceBuilder())).every((n) => n === 0));
    const req = purchase();
    const s = settle(1, 500);
    const b = new TraceBuilder().atStep(0).send(req).after(10).receive(approve(req)).send(s).receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, true) }));
    assert.deepEqual(judged(b), { "H-FMT-1": 2, "H-FMT-2": 0, "H-MTI-1": 2, "H-ECHO-1": 2, "H-TID-1": 0, "H-DUP-1": 0, "H-REV-1": 0, "H-REV-2": 0, "H-SET-1": 1, "H-BAL-1": 0, "H-LIVE-1": 0, "H-RRN-1": 1 });
  });

  it("H-FMT-1: an undecodable response", () => {
    const b = new TraceBuilder().send(purchase()).receiveUndecodable();
    assert.match(check("H-FMT-1", b)[0].message, /does not decode: field t, offset 0/);
  });

  it("H-MTI-1: no answer, two answers, a wrong MTI, a late answer", () => {
    const r1 = purchase();
    assert.match(check("H-MTI-1", new TraceBuilder().send(r1))[0].message, /got no response/);
    assert.match(check("H-MTI-1", new TraceBuilder().send(r1).receive(approve(r1)).receive(approve(r1)))[0].message, /got 2 responses/);
    assert.match(check("H-MTI-1", new TraceBuilder().send(r1).receive({ ...approve(r1), mti: "0230" }))[0].message, /answered with MTI 0230/);
    assert.match(check("H-MTI-1", new TraceBuilder().send(r1).after(30_001).receive(approve(r1)))[0].message, /past the 30000 ms timeout/);
  });

  it("H-ECHO-1: a wrong STAN is a wrong answer, not a timeout, and an absent 41 is named", () => {
    const r = purchase();
    const wrong = approve(r);
    wrong.fields["11"] = "999999";
    delete wrong.fields["41"];
    const v = check("H-ECHO-1", new TraceBuilder().send(r).receive(wrong));
    assert.deepEqual(v.map((x) => x.actual), ['field 11 "999999"', "field 41 absent"]);
    assert.deepEqual(check("H-MTI-1", new TraceBuilder().send(r).receive(wrong)), []);
  });

  it("H-ECHO-1: another terminal's answer on a terminal's connection is named as such", () => {
    const two: HostScenario = { ...scenario, terminals: ["TERM0001", "TERM0002"] };
    const echo41 = (tid: string, s = scenario) => {
      const r = purchase();
      const theirs = approve(r);
      theirs.fields["41"] = tid;
      return prop("H-ECHO-1").check(s, new TraceBuilder().send(r).receive(theirs).events, ctx).violations.map((x) => x.message);
    };
    assert.match(echo41("TERM0002", two)[0], /does not echo field 41: it is TERM0002's answer, delivered on another terminal's connection$/);
    assert.match(echo41("TERM0017")[0], /does not echo field 41: it names TERM0017, a terminal this scenario does not play \(another scenario's answer, delivered on this connection\?\)$/);
  });

  it("H-TID-1: an unregistered terminal approved", () => {
    const r = purchase(500, "TERM9999");
    const v = check("H-TID-1", new TraceBuilder().send(r).receive(approve(r)));
    assert.equal(v[0].expected, "response code 97");
    const refused = buildResponse(d, r, { code: "97" });
    assert.deepEqual(check("H-TID-1", new TraceBuilder().send(r).receive(refused)), []);
  });

  it("H-DUP-1: a duplicate answered with a new approval; 94 and a replay are fine", () => {
    const r = purchase();
    const dup = (second: Message) => new TraceBuilder().atStep(0).fault("duplicate").send(r).send(r).receive(approve(r)).receive(second);
    assert.equal(check("H-DUP-1", dup(approve(r, "OTHERRRN0000"))).length, 1);
    assert.deepEqual(check("H-DUP-1", dup(buildResponse(d, r, { code: "94" }))), []);
    assert.deepEqual(check("H-DUP-1", dup(approve(r))), []);
  });

  describe("requests raced on two connections (race_duplicate, race_reversal)", () => {
    /** `r` sent on c1 and c2 at once; the answers come back c2's first (the host took c2's copy first), each on its own connection. */
    const raced = (r: Message, onC1: Message, onC2: Message) =>
      new TraceBuilder().atStep(0).fault("race_duplicate", { conns: ["c1", "c2"] }).send(r, "c1").send(r, "c2").after(5).receive(onC2, "c2").receive(onC1, "c1");

    it("H-DUP-1: the 94 may come on either connection, and each answer is its own connection's", () => {
      const r = purchase();
      assert.deepEqual(check("H-DUP-1", raced(r, buildResponse(d, r, { code: "94" }), approve(r))), []);
      assert.deepEqual(check("H-DUP-1", raced(r, approve(r), buildResponse(d, r, { code: "94" }))), []);
      assert.deepEqual(check("H-DUP-1", raced(r, approve(r), approve(r))), []);
      assert.deepEqual(check("H-MTI-1", raced(r, approve(r), approve(r))), []);
    });

    it("H-DUP-1: both copies approved anew is one violation naming both connections and what each got", () => {
      const r = purchase();
      const b = raced(r, approve(r, "RRNONC100000"), approve(r, "RRNONC200000"));
      const v = check("H-DUP-1", b);
      assert.deepEqual(v.map((x) => [x.message, x.actual]), [
        [`the same request (STAN ${r.fields["11"]}) sent at the same moment on c1 and c2 was processed twice`, "answers 39/37/38 = 00/RRNONC100000/AUTH01 on c1, 00/RRNONC200000/AUTH01 on c2"],
      ]);
      assert.deepEqual(v[0].events, [2, 5, 3, 4]);
    });

    /** A purchase approved (its answer dropped by the kit), its reversal raced on c1 and c2, both acknowledged, then the settlement. */
    function racedReversal(balanced: boolean) {
      const r = purchase(700);
      const rev = buildReversal(d, r, "no_answer", { newStan: String(500 + stan).padStart(6, "0"), now });
      const s = settle(0, 0);
      return new TraceBuilder()
        .atStep(0).send(r).receive(approve(r)).fault("race_reversal", { conns: ["c1", "c2"] })
        .send(rev, "c1").send(rev, "c2").after(5).receive(buildResponse(d, rev, { code: "00" }), "c2").receive(buildResponse(d, rev, { code: "00" }), "c1")
        .send(s).receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, balanced) }));
    }

    it("H-REV-1, H-REV-2, H-SET-1: a raced double reversal undone once is clean", () => {
      const b = racedReversal(true);
      for (const id of ["H-REV-1", "H-REV-2", "H-SET-1", "H-MTI-1"]) assert.deepEqual(check(id, b), [], id);
      assert.equal(prop("H-REV-2").check(scenario, b.events, ctx).judged, 1, "the second copy is judged as a repeat");
    });

    it("H-REV-2: a raced double reversal undone twice leaves the batch unbalanced, with both copies as evidence", () => {
      const b = racedReversal(false);
      const [v] = check("H-REV-2", b);
      assert.match(v.message, /^after a repeated reversal of STAN \d+, the host's totals for TERM0001 disagree/);
      const copies = b.events.filter((e) => messageOf(e)?.mti === "0400").map((e) => e.seq);
      for (const seq of copies) assert.ok(v.events.includes(seq), `evidence ${v.events} lacks reversal row #${seq}`);
    });
  });

  it("H-REV-1 and H-SET-1: a reversal acknowledged but the batch still counts it", () => {
    const r = purchase(700);
    const rev = buildReversal(d, r, "no_answer", { newStan: "000500", now });
    const s = settle(0, 0);
    const b = new TraceBuilder()
      .atStep(0).fault("drop").send(r).receive(approve(r))
      .send(rev).receive(buildResponse(d, rev, { code: "00" }))
      .send(s).receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, false) }));
    assert.match(check("H-REV-1", b)[0].message, /after acknowledging the reversal of STAN/);
    assert.match(check("H-SET-1", b)[0].message, /not balanced/);
  });

  it("H-REV-2: a reversal of an unknown transaction answered with a decline code", () => {
    const ghost = buildReversal(d, purchase(), "no_answer", { newStan: "000777", now });
    const b = new TraceBuilder().send(ghost).receive(buildResponse(d, ghost, { code: "05" }));
    assert.equal(check("H-REV-2", b)[0].expected, "response code 00, 12, 25");
    const ok = new TraceBuilder().send(ghost).receive(buildResponse(d, ghost, { code: "25" }));
    assert.deepEqual(check("H-REV-2", ok), []);
  });

  describe("H-REV-1 and H-REV-2 split the blame for a batch that does not balance by what its reversals had to do", () => {
    const ctx2: CheckContext = { ...ctx, registeredTerminals: ["TERM0001", "TERM0002"] };
    const check2 = (id: string, b: TraceBuilder) => prop(id).check(scenario, b.events, ctx2).violations;
    /** The seq of every frame carrying this STAN and MTI, in trace order. */
    const seqOf = (b: TraceBuilder, mti: string, stan: string) => b.events.filter((e) => messageOf(e)?.mti === mti && messageOf(e)?.fields["11"] === stan).map((e) => e.seq);

    /** A batch of `tid`: one purchase approved then reversed, one declined then reversed (a no-op), as `parts` says. */
    function batch(b: TraceBuilder, tid: string, parts: { undo?: boolean; noop?: boolean }, balanced: boolean) {
      if (parts.undo) {
        const r = purchase(700, tid);
        const rev = buildReversal(d, r, "no_answer", { newStan: String(500 + stan).padStart(6, "0"), now });
        b.fault("drop").send(r).receive(approve(r)).send(rev).receive(buildResponse(d, rev, { code: "00" }));
      }
      if (parts.noop) {
        const r = purchase(900, tid);
        const rev = buildReversal(d, r, "no_answer", { newStan: String(500 + stan).padStart(6, "0"), now });
        b.fault("drop").send(r).receive(buildResponse(d, r, { code: "51" })).send(rev).receive(buildResponse(d, rev, { code: "00" }));
      }
      const s = settle(0, 0, tid);
      b.send(s).receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, balanced) }));
    }

    it("only no-ops in the batch: H-REV-2 names them, H-REV-1 says nothing", () => {
      const b = new TraceBuilder().atStep(0);
      batch(b, "TERM0001", { noop: true }, false);
      const [v] = check("H-REV-2", b);
      assert.match(v.message, /^after a reversal of unknown STAN \d+, the host's totals for TERM0001 disagree with debits 0\/0\.00, credits 0\/0\.00$/);
      assert.deepEqual(check("H-REV-1", b), []);
    });

    it("both kinds (--bug reversal-ignored --seed 42): each property says it cannot tell, and its evidence holds both reversals", () => {
      const b = new TraceBuilder().atStep(0);
      batch(b, "TERM0001", { undo: true, noop: true }, false);
      const reversals = b.events.filter((e) => messageOf(e)?.mti === "0400" || messageOf(e)?.mti === "0410").map((e) => e.seq);
      assert.equal(reversals.length, 4);
      for (const id of ["H-REV-1", "H-REV-2"]) {
        const [v] = check(id, b);
        assert.match(v.message, /the batch also holds a reversal that .* cannot tell which the host misapplied/, id);
        for (const seq of reversals) assert.ok(v.events.includes(seq), `${id}: evidence ${v.events} lacks reversal row #${seq}`);
        assert.ok(v.events.includes(seqOf(b, "0510", "000999")[0]), `${id}: evidence lacks the settlement's answer`);
      }
    });

    it("both kinds, while another terminal's batch of undoing reversals balanced: H-REV-2 blames the no-ops, citing that batch", () => {
      const b = new TraceBuilder().atStep(0);
      batch(b, "TERM0001", { undo: true }, true);
      batch(b, "TERM0002", { undo: true, noop: true }, false);
      const [v] = check2("H-REV-2", b);
      assert.match(v.message, /TERM0002 disagree with .* \(reversals that undo balanced in TERM0001's batch\)$/);
      const undo = b.events.find((e) => messageOf(e)?.mti === "0400" && messageOf(e)?.fields["41"] === "TERM0002")!;
      assert.ok(!v.events.includes(undo.seq), "the vouched-for undoing reversal is not evidence");
      assert.ok(v.events.includes(seqOf(b, "0510", "000999")[0]), "the balanced batch's answer is");
    });
  });

  it("H-SET-1 stays silent when a reversal went unanswered: the host's totals are unknowable", () => {
    const r = purchase(700);
    const rev = buildReversal(d, r, "no_answer", { newStan: "000501", now });
    const s = settle(0, 0);
    const b = new TraceBuilder().atStep(0).fault("drop").send(r).receive(approve(r)).send(rev)
      .send(s, "c2").receive(buildResponse(d, s, { code: "00", fields: settlementReply(d, s, false) }), "c2");
    assert.deepEqual(check("H-SET-1", b), []);
  });

  it("H-LIVE-1: no answer after a malformed frame", () => {
    const r = purchase();
    assert.match(check("H-LIVE-1", new TraceBuilder().atStep(2).fault("malformed").send(r))[0].message, /after a malformed frame/);
  });

  it("H-FMT-2: a purchase with a signed amount approved; a format error, a decline or no answer are fine", () => {
    const r = purchase(1000);
    const oneStep: HostScenario = { ...scenario, steps: [{ op: "purchase", terminal: 0, amount: 1000 }] };
    const hostile = (answer?: Message) => {
      const b = new TraceBuilder().atStep(0).fault("hostile_amount", { variant: "negative", amount: "-00000001000", mti: r.mti }).sendUndecodable();
      return prop("H-FMT-2").check(oneStep, (answer ? b.receive(answer) : b).events, ctx);
    };
    const v = hostile(approve(r));
    assert.deepEqual(v.violations.map((x) => [x.message, x.actual]), [["approved a purchase whose amount was '-00000001000'", "response code 00, authorisation AUTH01"]]);
    assert.deepEqual(v.violations[0].events, [1, 2, 3]);
    for (const code of ["30", "13"]) assert.deepEqual(hostile(buildResponse(d, r, { code })), { judged: 1, violations: [] }, code);
    assert.deepEqual(hostile(), { judged: 0, violations: [] });
    // A request the host starts itself on that connection (an echo test) is no answer to it.
    const echo = buildRequest(d, { op: "echo", tid: "TERM0001", mid: "123456789012345", stan: "000900", batch: "000001", now });
    assert.deepEqual(hostile(echo), { judged: 0, violations: [] });
  });

  it("H-MTI-1: a pipelined echo test left unanswered", () => {
    const r = purchase();
    const echo = buildRequest(d, { op: "echo", tid: "TERM0001", mid: "123456789012345", stan: "000900", batch: "000001", now });
    // A new builder each time: the ledger the properties share is kept per trace.
    const pipelined = () => new TraceBuilder().atStep(0).fault("pipelined").send(r).send(echo).receive(approve(r));
    assert.deepEqual(check("H-MTI-1", pipelined()).map((x) => x.message), [`${echo.mti} STAN 000900 got no response within 30000 ms`]);
    assert.deepEqual(check("H-MTI-1", pipelined().receive(buildResponse(d, echo, { code: "00" }))), []);
  });

  it("a pipelined pair: each answer goes to the request it names, in whichever order it comes", () => {
    const r = purchase();
    const echo = buildRequest(d, { op: "echo", tid: "TERM0001", mid: "123456789012345", stan: "000900", batch: "000001", now });
    const echoed = buildResponse(d, echo, { code: "00" });
    const pair = () => new TraceBuilder().atStep(0).fault("pipelined").send(r).send(echo);
    // The echo answered and the purchase not: the purchase went unanswered, nothing answered wrongly.
    assert.deepEqual(check("H-MTI-1", pair().receive(echoed)).map((x) => x.message), [`${r.mti} STAN ${r.fields["11"]} got no response within 30000 ms`]);
    assert.deepEqual(check("H-ECHO-1", pair().receive(echoed)), []);
    // Both answered, the echo first.
    for (const id of ["H-MTI-1", "H-ECHO-1"]) assert.deepEqual(check(id, pair().receive(echoed).receive(approve(r))), [], id);
    // An answer of the echo's MTI with a wrong STAN is the echo's wrong answer, not the purchase's.
    const wrongStan = { ...echoed, fields: { ...echoed.fields, "11": "000901" } };
    const wrong = check("H-ECHO-1", pair().receive(wrongStan).receive(approve(r)));
    assert.equal(wrong.length, 1);
    assert.match(wrong[0].message, /000900|000901/);
    assert.doesNotMatch(wrong[0].message, new RegExp(`${r.fields["11"]}`));
  });

  it("H-LIVE-1: no answer after a header-only frame", () => {
    const r = purchase();
    // Nothing answered the frame, so the kit sent the request on a new connection.
    const headerOnly = () => new TraceBuilder().atStep(0).fault("malformed", { variant: "header_only" }).sendUndecodable().send(r, "c2");
    assert.match(check("H-LIVE-1", headerOnly())[0].message, /^after a malformed frame, the host did not answer the next valid request \(0200 STAN \d{6}\)$/);
    assert.deepEqual(check("H-LIVE-1", headerOnly().receive(approve(r), "c2")), []);
  });

  it("H-RRN-1: a missing auth code and a reused RRN", () => {
    const a = purchase();
    const b2 = purchase();
    const noAuth = buildResponse(d, a, { code: "00", fields: { "37": "000000000001" } });
    assert.match(check("H-RRN-1", new TraceBuilder().send(a).receive(noAuth))[0].message, /has no field 38/);
    const t = new TraceBuilder().send(a).receive(approve(a, "000000000001")).send(b2).receive(approve(b2, "000000000001"));
    assert.match(check("H-RRN-1", t)[0].message, /RRN 000000000001 was given to two approvals/);
  });

  it("H-RRN-1: an authorisation code given twice is judged only where the profile says auth_codes: unique", () => {
    const a = purchase();
    const b2 = purchase();
    // Two approvals, two RRNs, one authorisation code (approve() gives every approval AUTH01).
    const t = () => new TraceBuilder().send(a).receive(approve(a, "000000000001")).send(b2).receive(approve(b2, "000000000002"));
    assert.deepEqual(check("H-RRN-1", t()), []);
    const unique = { ...ctx, dialect: profiledDialect("iso87ascii", "lab-auth", { auth_codes: "unique" }) };
    const v = prop("H-RRN-1").check(scenario, t().events, unique).violations;
    assert.deepEqual(v.map((x) => [x.message, x.events]), [["authorisation code AUTH01 was given to two approvals", [1, 3]]]);
    // A duplicate answered with a replay of its approval repeats both, and rightly.
    const replayed = new TraceBuilder().send(a).receive(approve(a, "000000000001")).send(a).receive(approve(a, "000000000001"));
    assert.deepEqual(prop("H-RRN-1").check(scenario, replayed.events, unique).violations, []);
    // A void names its purchase's RRN and code (37, 38); an approval echoing them hands out nothing new.
    const voided = buildRequest(d, { op: "void", tid: "TERM0001", mid: "123456789012345", stan: "000777", batch: "000001", now, card: { pan: "6225880012345678", expiry: "2812" }, amount: a.fields["4"], original: { mti: "0200", stan: a.fields["11"], batch: "000001", date: "0115", transmission: "0115000000", rrn: "000000000001", auth: "AUTH01" } });
    const echoed = buildResponse(d, voided, { code: "00", fields: { "37": "000000000001", "38": "AUTH01" } });
    const withVoid = new TraceBuilder().send(a).receive(approve(a, "000000000001")).send(voided).receive(echoed);
    assert.deepEqual(prop("H-RRN-1").check(scenario, withVoid.events, unique).violations, []);
    assert.deepEqual(check("H-RRN-1", withVoid), []);
    // Across the run, the code is a key of its own beside the RRN.
    assert.deepEqual(prop("H-RRN-1").acrossRun!(t().events, unique).map((k) => k.key), ["000000000001", "authorisation code AUTH01", "000000000002", "authorisation code AUTH01"]);
    assert.deepEqual(prop("H-RRN-1").acrossRun!(t().events, ctx).map((k) => k.key), ["000000000001", "000000000002"]);
  });

  it("H-RRN-1: two terminals given the same RRN (--bug rrn-per-terminal), their STANs alike", () => {
    const a = purchase(500, "TERM0001");
    const b2 = { ...a, fields: { ...a.fields, "41": "TERM0002" } };
    const t = new TraceBuilder().send(a, "c1").receive(approve(a, "000000000007"), "c1").send(b2, "c2").receive(approve(b2, "000000000007"), "c2");
    assert.deepEqual(check("H-RRN-1", t).map((v) => v.events), [[1, 3]]);
  });

  describe("advices and the whole balance", () => {
    const card = { pan: "6225880012345601", expiry: "2812" };
    const inquiry = () => buildRequest(d, { op: "balance", tid: "TERM0001", mid: "123456789012345", stan: String(++stan).padStart(6, "0"), batch: "000001", now, card });
    const withBalance = (req: Message, minor: number) => buildResponse(d, req, { code: "00", fields: { "54": formatBalance("840", minor) } });
    /** An inquiry reporting `balance`, the kit's whole_balance fault, and a purchase of `amount` answered `code`. */
    const spendAll = (balance: number, amount: number, code: string) => {
      const q = inquiry();
      const p = { ...purchase(amount), fields: { ...purchase(amount).fields, "2": card.pan } };
      return new TraceBuilder().atStep(0).send(q).receive(withBalance(q, balance)).fault("whole_balance", { amount: balance }).send(p).receive(code === "00" ? approve(p) : buildResponse(d, p, { code }));
    };
    const balances = { ...ctx, dialect: d };

    it("H-BAL-1: the whole balance just reported declined with 51 is a violation; an approval, a limit (61) or another amount are not", () => {
      const bal = (b: TraceBuilder) => prop("H-BAL-1").check(scenario, b.events, balances);
      const v = bal(spendAll(1_000_000, 1_000_000, "51"));
      assert.deepEqual([v.judged, v.violations.map((x) => x.message)], [1, ["a request for 10000.00, the whole balance the host had just reported, was declined for insufficient funds"]]);
      assert.deepEqual(v.violations[0].events, [1, 2, 4, 5]);
      assert.deepEqual([bal(spendAll(1_000_000, 1_000_000, "00")).judged, bal(spendAll(1_000_000, 1_000_000, "00")).violations], [1, []]);
      assert.deepEqual(bal(spendAll(2_000_000, 2_000_000, "61")).violations, []);
      // Not the amount the host reported (the kit fell back to the step's): not judged.
      assert.equal(bal(spendAll(1_000_000, 999_999, "51")).judged, 0);
    });

    it("H-DUP-1: an advice repeated as 0221 and approved anew is processed again; a 94 or the first answer replayed is not", () => {
      const advice = buildRequest(d, { op: "advice", tid: "TERM0001", mid: "123456789012345", stan: String(++stan).padStart(6, "0"), batch: "000001", now, card, amount: "000000000500" });
      const repeat = { ...advice, mti: "0221" };
      const answered = (second: Message) => new TraceBuilder().atStep(0).send(advice).receive(approve(advice)).fault("drop").send(repeat).receive(second);
      const v = check("H-DUP-1", answered(approve(repeat, "OTHERRRN0000")));
      assert.deepEqual(v.map((x) => x.message), [`the advice (STAN ${advice.fields["11"]}) repeated as 0221 was processed again`]);
      // The repeat's answer is its original's MTI: 0230, not 0231.
      assert.equal(approve(repeat).mti, "0230");
      assert.deepEqual(check("H-DUP-1", answered(buildResponse(d, repeat, { code: "94" }))), []);
      assert.deepEqual(check("H-DUP-1", answered(approve(repeat, approve(advice).fields["37"]))), []);
      assert.deepEqual(check("H-MTI-1", answered(approve(repeat))), []);
    });
  });
});
