import type { Dialect } from "../../iso8583/dialect.js";
import type { TransactionRules } from "../../iso8583/dialectTable.js";
import { Iso8583Error } from "../../iso8583/errors.js";
import { checkMac, packWithMac } from "../../iso8583/macMessage.js";
import type { Message } from "../../iso8583/message.js";
import { pack } from "../../iso8583/pack.js";
import { readRawDigits, writeRawDigits } from "../../iso8583/rawDigits.js";
import { tryUnpack, unpack } from "../../iso8583/unpack.js";
import { buildRequest, buildResponse, isAdvice, isRequestMti, isReversal, macRequired, networkCodeOf, operationOf, panOf, profileOf, requestKey, responseMti, rulesOf } from "../../protocol/index.js";
import { DEFAULT_TMK, FIRST_BATCH, HOST_LINK_ID, MERCHANT_ID } from "../defaults.js";
import { openingBalance } from "./declineRules.js";
import { type CardAccount, type HostSnapshot, HostLedger, type Registration, type TerminalBooks } from "./hostLedger.js";
import { type Decision, HostOperations } from "./hostOperations.js";
import { RACY_PROCESSING_MS } from "./bugs.js";
import { type HostOptions, INITIAL_MAK, type ResolvedHostOptions, resolveHostOptions, type TerminalConfig } from "./hostOptions.js";
import { AMOUNT_OPS, type HostOperation, missingField } from "./requestShape.js";

/** An answer ready to send. */
export interface HostReply {
  message: Message;
  frame: Buffer;
  /** How long to hold it before sending (the configured latency, or the slow-response bug). */
  delayMs: number;
}

/** What the host made of one frame. */
export interface HostTurn {
  /** The request as decoded, or what decoded of it before an error. */
  request?: Message;
  /** What the host decided, in words, for logs. Never carries card data. */
  outcome: string;
  /** Undefined when the host does not answer. */
  reply?: HostReply;
}

/** The host's own sign-on on one link, and how to know its answer. */
export interface HostSignOn {
  frame: Buffer;
  /** Whether `body` is the approved answer to this sign-on. */
  answeredBy(body: Buffer): boolean;
}

/** Requests the host recognises a repeat of: those that post, look up a card, or settle; an advice's repeat (0221) among them. */
const DEDUPLICATED: ReadonlySet<HostOperation> = new Set(["balance", "purchase", "void", "refund", "preauth", "settlement", "advice"]);


/** A registry as the ledger enrols it, parsed once per registry (its keys never change: register copies what does). */
const registrations = new WeakMap<readonly TerminalConfig[], readonly Registration[]>();

function registrationsOf(terminals: readonly TerminalConfig[]): readonly Registration[] {
  let out = registrations.get(terminals);
  if (out === undefined) {
    out = terminals.map((t) => ({ tid: t.tid, mid: t.mid, tmk: Buffer.from(t.tmk, "hex"), mak: INITIAL_MAK, batch: FIRST_BATCH }));
    registrations.set(terminals, out);
  }
  return out;
}

/**
 * The reference host: a correct acquirer host for one dialect, or one with a seeded bug. It is
 * a synchronous state machine: `handle` takes one frame body and returns the answer to send
 * (if any) with the books already updated, so frames from many connections handled one after
 * another can never lose an update. Transports are someone else's job (`serveLink`).
 *
 * Rules, in the order they are checked:
 * - a frame that does not decode gets the format error code (30), if its MTI decoded;
 * - a request without STAN (11), terminal (41) or merchant (42): format error;
 * - an unregistered terminal, or one under another merchant: the dialect's unknown-terminal code (97);
 * - a bad or missing MAC where the dialect has one (`macRequired`, or a MAC present): the MAC
 *   error code (A0), answered without a MAC; otherwise answers to MACed requests are MACed with
 *   the terminal's current MAK (after a sign-on: the new one, from the sign-on reply on);
 * - an operation the dialect does not define: invalid transaction (12); a missing field: 30;
 * - a repeat of a request already answered (same `requestKey`, an advice's repeat MTI as its
 *   first's): 94, or the first answer replayed;
 * - then the operation itself: sign-on, echo, balance, purchase, pre-auth, void, refund,
 *   advice (posted as a purchase approved already), reversal, settlement; card requests are declined by `DECLINE_RULES`.
 */
export class ReferenceHost {
  readonly dialect: Dialect;
  readonly options: ResolvedHostOptions;
  private readonly rules: TransactionRules;
  private readonly ledger: HostLedger;
  private readonly operations: HostOperations;
  /** Set by the `crash-on-malformed` and `dies-on-header-only` bugs (what stopped it): from then on nothing is answered. */
  private stoppedBy: string | undefined;
  /** The STAN of the host's own last sign-on. */
  private signOnStan = 0;

  constructor(dialect: Dialect, options: HostOptions = {}) {
    this.dialect = dialect;
    this.rules = rulesOf(dialect);
    this.options = resolveHostOptions(options);
    const table = this.options.cards;
    this.ledger = new HostLedger((pan) => table?.get(pan)?.balance ?? openingBalance(pan));
    this.operations = new HostOperations(dialect, this.ledger, this.options);
    for (const t of registrationsOf(this.options.terminals)) this.ledger.enrol(t);
  }

  get clock() {
    return this.options.clock;
  }

  /**
   * How long the host works on a request before it answers (0: at once). Only the racy bugs take
   * time; a connection's next request waits for it (`serveLink`), another connection's does not.
   */
  get processingMs(): number {
    const bug = this.options.bug;
    return bug === "racy-duplicate-check" || bug === "racy-double-reversal" || bug === "crossed-answers" ? RACY_PROCESSING_MS : 0;
  }

  /** A copy of the books: per terminal its approvals, reversals and totals; card balances. */
  snapshot(): HostSnapshot {
    return this.ledger.snapshot(this.stoppedBy !== undefined);
  }

  /**
   * The card balances as they stand, and putting them back: the kit, answering a terminal under
   * test that keeps its state, re-runs a failing scenario from the balances it first ran with, so
   * a deterministic failure is not taken for a flake because a card ran out of funds. Only the
   * cards: the terminal has moved on (STANs, batch, keys), and the host's books must follow it.
   */
  saveCards(): ReadonlyMap<string, CardAccount> {
    return this.ledger.saveCards();
  }

  restoreCards(saved: ReadonlyMap<string, CardAccount>): void {
    this.ledger.restoreCards(saved);
  }

  /**
   * The working keys the host holds for a terminal (MAC and PIN keys), undefined for one it does
   * not know: the kit, answering for this host with a fault, re-MACs an answer it alters under
   * them, so that only what it meant to break is broken.
   */
  workingKeysOf(tid: string): { mak: Buffer; pik: Buffer } | undefined {
    const books = this.ledger.terminal(tid);
    return books === undefined ? undefined : { mak: books.mak, pik: books.pik };
  }

  /**
   * Puts back a terminal's working keys: the kit, answering for this host, takes back the keys
   * of a sign-on whose answer it kept from the terminal, which goes on with its old ones.
   */
  restoreWorkingKeys(tid: string, keys: { mak: Buffer; pik: Buffer }): void {
    const books = this.ledger.terminal(tid);
    if (books === undefined) return;
    books.mak = keys.mak;
    books.pik = keys.pik;
  }

  /**
   * Where the dialect's profile says the host signs on itself (`sign_on: host`): the sign-on it
   * sends down a new link before it serves anything there, a new STAN each time.
   */
  signOnRequest(): HostSignOn | undefined {
    if (profileOf(this.dialect).signOn !== "host") return undefined;
    this.signOnStan = (this.signOnStan % 999_999) + 1;
    const stan = String(this.signOnStan).padStart(6, "0");
    const request = buildRequest(this.dialect, { op: "signon", tid: HOST_LINK_ID, mid: MERCHANT_ID, stan, batch: FIRST_BATCH, now: this.now() });
    const answer = responseMti(request.mti);
    return {
      frame: pack(this.dialect, request),
      answeredBy: (body) => {
        const m = tryUnpack(this.dialect, body);
        return m?.mti === answer && m.fields["11"] === stan && m.fields["39"] === this.rules.codes.approved;
      },
    };
  }

  private now(): Date {
    return new Date(this.options.epoch.getTime() + this.options.clock.now());
  }

  /** Decides on one frame body (framing already removed) and returns what to answer. */
  handle(body: Buffer): HostTurn {
    if (this.stoppedBy !== undefined) return { outcome: `not answered: the host stopped after ${this.stoppedBy}` };
    if (this.options.bug === "dies-on-header-only" && body.length < this.dialect.headerBytes + this.dialect.table.mti.bytes) {
      this.stoppedBy = "a frame shorter than an MTI (bug dies-on-header-only)";
      return { outcome: `a frame of ${body.length} bytes, shorter than an MTI; stops answering (bug dies-on-header-only)` };
    }
    let request: Message;
    try {
      request = unpack(this.dialect, body);
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
      const lax = this.options.bug === "lax-amount" && e.field === "4" ? laxAmount(this.dialect, body) : undefined;
      if (lax === undefined) return this.malformed(e);
      request = lax;
    }
    if (!isRequestMti(request.mti)) return { request, outcome: `not answered: ${request.mti} is not a request` };
    return this.answer(request, body);
  }

  private malformed(e: Iso8583Error): HostTurn {
    const outcome = `malformed frame: ${e.message}`;
    if (this.options.bug === "crash-on-malformed") {
      this.stoppedBy = "a malformed frame (bug crash-on-malformed)";
      return { request: e.partial, outcome: `${outcome}; stops answering (bug crash-on-malformed)` };
    }
    const partial = e.partial;
    if (partial === undefined || !isRequestMti(partial.mti)) return { request: partial, outcome: `${outcome}; no request MTI to answer` };
    return this.respond(partial, { code: this.rules.codes.format_error, outcome });
  }

  private answer(request: Message, body: Buffer): HostTurn {
    const { codes } = this.rules;
    const f = request.fields;
    const absent = ["11", "41", "42"].find((k) => f[k] === undefined);
    if (absent !== undefined) return this.respond(request, { code: codes.format_error, outcome: `field ${absent} missing` });
    const books = this.booksOf(f["41"], f["42"]);
    if (books === undefined) {
      return this.respond(request, { code: codes.unknown_terminal, outcome: `terminal ${f["41"]} is not registered under merchant ${f["42"]}` });
    }
    const mac = this.dialect.table.mac;
    const macked = mac !== null && (macRequired(this.dialect, request) || f[String(mac.field)] !== undefined);
    if (macked) {
      const verdict = checkMac(this.dialect, body, request, books.mak);
      if (verdict !== "ok") return this.respond(request, { code: codes.mac_error, outcome: verdict === "missing" ? "MAC missing" : "MAC does not verify" });
    }
    // Evaluated after deciding: a sign-on replaces the MAK, and its own reply carries the new one.
    const macKey = () => (macked ? books.mak : undefined);
    const op: HostOperation | undefined = isReversal(this.dialect, request)
      ? "reversal"
      : isAdvice(this.dialect, request)
        ? "advice"
        : operationOf(this.dialect, request.mti, f["3"], networkCodeOf(this.dialect, request));
    if (op === undefined) return this.respond(request, { code: codes.invalid_transaction, outcome: "not a transaction this host offers" }, macKey());
    const missing = missingField(this.dialect, op, request);
    if (missing !== undefined) return this.respond(request, { code: codes.format_error, outcome: `${op}: field ${missing} missing` }, macKey());

    if (this.options.bug === "dies-on-zero-amount" && AMOUNT_OPS.has(op) && op !== "void" && Number(f["4"]) === 0) {
      this.stoppedBy = "a zero amount (bug dies-on-zero-amount)";
      return { request, outcome: `${op} of 0.00: its risk check divides by the amount and throws; stops answering (bug dies-on-zero-amount)` };
    }
    const key = requestKey(this.dialect, request);
    // double-posts-advice-repeat: advices go straight to posting, as if store-and-forward delivered each once.
    const deduplicated = DEDUPLICATED.has(op) && !(op === "advice" && this.options.bug === "double-posts-advice-repeat");
    const first = deduplicated && this.options.bug !== "double-post-duplicate" ? books.answers.get(key) : undefined;
    if (first !== undefined) {
      if (this.options.bug === "duplicate-debits-card" && op === "purchase") this.ledger.card(panOf(request)!).available -= Number(f["4"] ?? 0);
      if (this.options.duplicates === "replay") return { request, outcome: `${op}: duplicate, first answer replayed`, reply: { ...first, delayMs: this.delayMs() } };
      return this.respond(request, { code: codes.duplicate, outcome: `${op}: duplicate` }, macKey());
    }
    const decision = this.operations.decide(op, books, request);
    const turn = this.respond(request, decision, macKey());
    const reply = turn.reply;
    if (!DEDUPLICATED.has(op) || reply === undefined) return turn;
    const file = () => books.answers.set(key, { message: reply.message, frame: reply.frame });
    // The duplicate check sees only requests answered, and this one is answered after its processing time.
    if (this.options.bug === "racy-duplicate-check") this.clock.setTimer(this.processingMs, file);
    else file();
    return turn;
  }

  private booksOf(tid: string, mid: string): TerminalBooks | undefined {
    const books = this.ledger.terminal(tid);
    if (books !== undefined) return books.mid === mid ? books : undefined;
    if (this.options.bug !== "approve-unknown-tid") return undefined;
    return this.ledger.register({ tid, mid, tmk: Buffer.from(DEFAULT_TMK, "hex"), mak: INITIAL_MAK, batch: FIRST_BATCH });
  }

  /** The answer as sent: the response built from the request, seeded echo bugs, then the MAC. */
  private respond(request: Message, d: Decision, macKey?: Buffer): HostTurn {
    const message = buildResponse(this.dialect, request, { code: d.code, fields: d.fields });
    const f = message.fields;
    if (this.options.bug === "wrong-stan-echo" && f["11"] !== undefined) f["11"] = String((Number(f["11"]) + 1) % 1_000_000).padStart(6, "0");
    if (this.options.bug === "drop-field-41") delete f["41"];
    // The lax amount it took in goes back as digits: the codec packs nothing else.
    if (this.options.bug === "lax-amount" && f["4"] !== undefined) f["4"] = f["4"].replace(/\D/g, "0");
    const frame = macKey === undefined ? pack(this.dialect, message) : packWithMac(this.dialect, message, macKey);
    return { request, outcome: d.outcome, reply: { message, frame, delayMs: this.delayMs() } };
  }

  private delayMs(): number {
    return this.options.bug === "slow-response" ? this.options.slowResponseMs : this.options.responseDelayMs + this.processingMs;
  }
}

/**
 * The request as the `lax-amount` bug reads it: field 4 taken as whatever `Number` makes of its
 * text (a sign, spaces), the rest decoded strictly; undefined when that is not enough to decode it.
 */
function laxAmount(dialect: Dialect, body: Buffer): Message | undefined {
  const text = readRawDigits(dialect, body, "4");
  if (text === undefined || !/^[- ]*\d+$/.test(text)) return undefined;
  const digits = writeRawDigits(dialect, body, "4", text.replace(/\D/g, "0"));
  try {
    const request = unpack(dialect, digits!);
    request.fields["4"] = text;
    return request;
  } catch (e) {
    if (e instanceof Iso8583Error) return undefined;
    throw e;
  }
}
