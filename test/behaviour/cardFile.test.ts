import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { opsNoCardAllows } from "../../generators/card.js";
import { hostScenario, hostScenarioShape } from "../../generators/hostScenario.js";
import { runConformance } from "../../api/runConformance.js";
import { UsageError } from "../../api/usageError.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { decryptKey } from "../../src/iso8583/mac.js";
import { operationOf, panOf, pinBlock, pinFromBlock } from "../../src/protocol/index.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { runScenario } from "../../src/runner/runScenario.js";
import { CARD_USES, cardAllows, CardFileError, checkCardFile, type FileCard } from "../../src/scenario/cardFile.js";
import { luhnDigit } from "../../src/scenario/scenario.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { messageOf } from "../../src/trace/traceEvent.js";
import { ISOCONF_BIN } from "../helpers/builtCli.js";
import { failures, runHostSuite, untested } from "../helpers/hostRun.js";
import { profiledDialect } from "../helpers/profiledDialect.js";

// A lab's host knows its own cards and declines the rest: the kit uses the lab's card file
// instead of random test cards, each card only for what the file allows.
const pan = (body: string) => body + luhnDigit(body);
const CARDS: FileCard[] = [
  { pan: pan("621483001234567"), expiry: "2812", track2: `${pan("621483001234567")}=28121010000`, pin: "2468", balance: 50_000, label: "swipe and key" },
  { pan: pan("476173000000001"), expiry: "2906", operations: ["balance", "purchase"], label: "no refunds" },
  { pan: pan("541333009876543"), expiry: "3112", balance: 2_000_000 },
];
const CARD_FILE = { format: "isoconf-cards/1", cards: CARDS };

describe("card file: the kit uses the cards the host knows", function () {
  this.timeout(60_000);
  const cup = builtinDialect("cup");

  it("is checked: an error names the key and never repeats a card number", () => {
    const bad = { format: "isoconf-cards/1", cards: [CARDS[0], { ...CARDS[1], track2: `${CARDS[2].pan}=29061010000` }, { ...CARDS[2], expiry: "3113" }, { ...CARDS[0] }] };
    assert.throws(
      () => checkCardFile(bad, "lab.cards.json"),
      (e: Error) =>
        e instanceof CardFileError &&
        /^lab\.cards\.json: cards\[1\]\.track2: must start with the card's PAN, then = or D; cards\[2\]\.expiry: YYMM; cards\[3\]\.pan: the same PAN as an earlier card$/.test(e.message) &&
        !/\d{12}/.test(e.message),
    );
  });

  it("refuses a track 2 the ECR line or field 35 cannot carry: more than 16 digits after the expiry, or more than 37 characters", () => {
    const track = (pan: string, extra: number) => `${pan}=2812${"1".repeat(extra)}`;
    const short = pan("62148300123");
    for (const [t, why] of [[track(short, 20), /cards\[0\]\.track2: PAN, = or D, YYMM, then at most 16 digits/], [track(pan("622588000000000000"), 16), /cards\[0\]\.track2: at most 37 characters/]] as const) {
      const file = { format: "isoconf-cards/1", cards: [{ pan: t.split("=")[0], expiry: "2812", track2: t }] };
      assert.throws(() => checkCardFile(file, "lab.cards.json"), (e: Error) => e instanceof CardFileError && why.test(e.message) && !/\d{12}/.test(e.message));
    }
    // The longest the ECR line takes: 16 digits after the expiry, 37 characters in all.
    checkCardFile({ format: "isoconf-cards/1", cards: [{ pan: short, expiry: "2812", track2: track(short, 16) }] }, "lab.cards.json");
  });

  it("the generated steps use only the file's cards, each for an operation it allows, swiped only with a track 2", () => {
    const scenarios = fc.sample(hostScenario({ terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL], cards: { file: CARDS } }), { numRuns: 300, seed: 7 });
    const steps = scenarios.flatMap((s) => s.steps.filter((st) => st.card !== undefined));
    assert.ok(steps.length > 300);
    for (const st of steps) {
      assert.ok("file" in st.card!, JSON.stringify(st.card));
      const card = CARDS[(st.card as { file: number }).file];
      assert.ok(cardAllows(card, st.op), `${st.op} with card ${(st.card as { file: number }).file}`);
      if (card.operations !== undefined) assert.ok((card.operations as string[]).includes(st.op === "advice" ? "purchase" : st.op));
      if ((st.card as { swiped: boolean }).swiped) assert.ok(card.track2 !== undefined);
    }
    assert.deepEqual(new Set(steps.map((st) => (st.card as { file: number }).file)), new Set([0, 1, 2]));
  });

  it("a reference host with the card table: the run's cards are served, no failure over 500 scenarios and every rule exercised; a card it does not know is declined (05)", async () => {
    const r = await runHostSuite(cup, referenceHostTarget(cup, { cards: CARDS }), { runs: 500, seed: 11, cards: CARDS, scenarios: hostScenario({ terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL], cards: { file: CARDS } }) });
    assert.deepEqual(failures(r).map((p) => p.id), []);
    assert.deepEqual(untested(r), []);
    const ctx = { dialect: cup, target: referenceHostTarget(cup, { cards: CARDS }), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex"), cards: CARDS };
    const purchase = (card: object) => ({ op: "purchase" as const, terminal: 0, amount: 500, card }) as never;
    const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [purchase({ file: 0, swiped: true }), purchase({ bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false })] }, ctx);
    const answers = trace.flatMap((e) => (e.dir === "sut→kit" && messageOf(e)?.mti === "0210" ? [messageOf(e)!.fields["39"]] : []));
    assert.deepEqual(answers, ["00", "05"]);
    const sent = trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0200")!;
    assert.equal(messageOf(sent)!.fields["35"], CARDS[0].track2!.replace("=", "D"), "the file's own track 2");
  });

  it("a file whose every card names its operations: advices go with the cards that may be used for purchases, and the run completes; with none that may, advices are left out", async () => {
    const named: FileCard[] = CARDS.map((c) => ({ ...c, operations: c.operations ?? ["balance", "purchase", "void", "refund", "preauth"] }));
    const balanceOnly: FileCard[] = CARDS.map((c) => ({ ...c, operations: ["balance"] }));
    assert.deepEqual(opsNoCardAllows(named, CARD_USES), []);
    assert.deepEqual(opsNoCardAllows(balanceOnly, CARD_USES), ["purchase", "void", "refund", "preauth", "advice"]);
    const dir = mkdtempSync(join(tmpdir(), "isoconf-cards-"));
    try {
      for (const cards of [named, balanceOnly]) {
        const file = join(dir, "cards.json");
        writeFileSync(file, JSON.stringify({ format: "isoconf-cards/1", cards }));
        // Before, an advice found no card ("a advice request needs a card") and the run stopped, exit 2.
        const run = await runConformance({ role: "host", cards: file, runs: 100, seed: 1, out: join(dir, "out") });
        assert.equal(run.result.stopped, undefined, run.result.stopped?.message);
        assert.equal(run.result.scenarios, 100);
        assert.deepEqual(failures(run.result).map((p) => p.id), []);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a card is used only as the file allows, balance readings and the originals of voids and refunds included: the host's card table refuses nothing", async () => {
    const d = profiledDialect("iso87binary", "lab-balances-cards", { sign_on: "none", balances: "inquiry" });
    const cards: FileCard[] = [
      { pan: pan("621483001234567"), expiry: "2812", operations: ["purchase"], label: "purchases only" },
      { pan: pan("476173000000001"), expiry: "2906", operations: ["purchase", "void"], label: "no refunds, no balance" },
      { pan: pan("541333009876543"), expiry: "3112", balance: 2_000_000 },
    ];
    const scenarios = fc.sample(hostScenario({ ...hostScenarioShape(d), terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL], cards: { file: cards } }), { numRuns: 200, seed: 5 });
    const ctx = { dialect: d, target: referenceHostTarget(d, { cards }), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex"), cards };
    const used = new Map<string, number>();
    const refused: string[] = [];
    for (const scenario of scenarios) {
      for (const e of await runScenario(scenario, ctx)) {
        const m = messageOf(e);
        if (e.dir !== "kit→sut" || m === undefined) continue;
        const op = operationOf(d, m.mti, m.fields["3"]);
        const card = cards.find((c) => c.pan === panOf(m));
        if (op === undefined || card === undefined) continue;
        used.set(op, (used.get(op) ?? 0) + 1);
        // Before, every card was read before and after the steps, and a void or refund took its purchase's card whatever the file said.
        if (!cardAllows(card, op)) refused.push(`${op} with ${card.label ?? "card 3"}`);
      }
    }
    assert.deepEqual(refused, []);
    for (const op of ["balance", "purchase", "void", "refund"]) assert.ok((used.get(op) ?? 0) > 0, `no ${op} with a card of the file: ${[...used]}`);
  });

  it("profile field_2: a swiped card carries the PAN in field 2 beside track 2 where the profile says always", async () => {
    const fieldsSent = async (profile: Record<string, unknown>) => {
      const d = profiledDialect("iso87ascii", "lab-f2", profile);
      const ctx = { dialect: d, target: referenceHostTarget(d), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex"), cards: CARDS };
      const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { file: 0, swiped: true } }] }, ctx);
      const f = messageOf(trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0200")!)!.fields;
      return [f["2"] !== undefined, f["35"] !== undefined];
    };
    assert.deepEqual(await fieldsSent({}), [false, true]);
    assert.deepEqual(await fieldsSent({ field_2: "always" }), [true, true]);
  });

  it("isoconf run --cards records the file by path and digest, never a card number; replay reads it, and refuses a changed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-cards-"));
    const file = join(dir, "lab.cards.json");
    writeFileSync(file, JSON.stringify(CARD_FILE));
    const r = await runConformance({ role: "host", cards: file, bug: "double-post-duplicate", only: ["H-DUP-1"], runs: 100, seed: 3, out: join(dir, "out") });
    assert.equal(r.exitCode, 1);
    const saved = readFileSync(join(dir, "out", "H-DUP-1.scenario.json"), "utf8");
    const scenarioFile = JSON.parse(saved);
    assert.equal(scenarioFile.cards.file, file);
    assert.match(scenarioFile.cards.sha256, /^[0-9a-f]{64}$/);
    assert.ok(scenarioFile.scenario.steps.some((st: { card?: object }) => st.card !== undefined && "file" in st.card));
    for (const c of CARDS) assert.ok(!saved.includes(c.pan));
    const replay = (...extra: string[]) => spawnSync(process.execPath, [ISOCONF_BIN, "replay", join(dir, "out", "H-DUP-1.scenario.json"), ...extra], { encoding: "utf8", timeout: 30_000 });
    const again = replay();
    assert.equal(again.status, 1, again.stdout + again.stderr);
    assert.match(again.stdout, /the failure reproduces/);
    writeFileSync(file, JSON.stringify({ ...CARD_FILE, cards: CARDS.slice(1) }));
    const changed = replay();
    assert.equal(changed.status, 2);
    assert.match(changed.stderr, /the run drew its cards from a card file of SHA-256 [0-9a-f]{12}…, and .*lab\.cards\.json is another/);
    assert.equal(changed.stderr.trim().split("\n").length, 1);
    // The card file gone, and a scenario file that names file cards but no card file: one line each, exit 2.
    rmSync(file);
    const gone = replay();
    assert.equal(gone.status, 2);
    assert.match(gone.stderr, /H-DUP-1\.scenario\.json: the run's card file: .*lab\.cards\.json: cannot read the card file \(ENOENT\) \(give it with --cards\)$/m);
    const { cards: _, ...without } = scenarioFile;
    writeFileSync(join(dir, "out", "H-DUP-1.scenario.json"), JSON.stringify(without));
    const none = replay();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /its steps use cards of a card file, and none is given: give it with --cards$/m);
  });

  it("--cards that cannot be read or is not JSON: one line before the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-cards-"));
    await assert.rejects(runConformance({ role: "host", cards: join(dir, "nope.json"), runs: 5, out: join(dir, "out") }), (e: Error) => e instanceof UsageError && /nope\.json: cannot read the card file \(ENOENT\)$/.test(e.message));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    await assert.rejects(runConformance({ role: "host", cards: join(dir, "bad.json"), runs: 5, out: join(dir, "out") }), (e: Error) => e instanceof UsageError && /bad\.json: not valid JSON/.test(e.message));
  });
});

describe("card file: a card with a PIN", function () {
  this.timeout(30_000);
  const cup = builtinDialect("cup");
  const withPin: FileCard = { pan: pan("621483001234567"), expiry: "2812", track2: `${pan("621483001234567")}=28121010000`, pin: "1234" };

  it("field 52 is an ISO 9564 format 0 PIN block under the PIN key: PIN field XOR PAN field, DES-encrypted", () => {
    const pik = Buffer.from("0123456789ABCDEF", "hex");
    const block = pinBlock("1234", "4000001234567899", pik);
    // PIN field 041234FFFFFFFFFF XOR PAN field 0000000123456789.
    assert.equal(decryptKey(pik, Buffer.from(block, "hex")).toString("hex").toUpperCase(), "041234FEDCBA9876");
    assert.equal(pinFromBlock(block, "4000001234567899", pik), "1234");
    assert.equal(pinFromBlock(block, "4000001234567899", Buffer.from("FEDCBA9876543210", "hex")), undefined, "under another key it is no PIN block");
  });

  it("the kit sends the PIN under the PIN key the sign-on handed out; a host whose card table has another PIN declines 55", async () => {
    const purchase = async (hostPin: string) => {
      const target = referenceHostTarget(cup, { cards: [{ ...withPin, pin: hostPin }] });
      const ctx = { dialect: cup, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex"), cards: [withPin] };
      const trace = await runScenario({ role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 500, card: { file: 0, swiped: true } }] }, ctx);
      const sent = messageOf(trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === "0200")!)!;
      const answer = messageOf(trace.find((e) => e.dir === "sut→kit" && messageOf(e)?.mti === "0210")!)!;
      return [sent.fields["52"] !== undefined, answer.fields["39"]];
    };
    assert.deepEqual(await purchase("1234"), [true, "00"]);
    assert.deepEqual(await purchase("4321"), [true, "55"]);
  });
});
