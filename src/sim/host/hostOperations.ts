import type { Dialect } from "../../iso8583/dialect.js";
import type { TransactionRules } from "../../iso8583/dialectTable.js";
import { formatField60, parseField60 } from "../../iso8583/cup.js";
import type { Message } from "../../iso8583/message.js";
import { batchOf, decodeTotals, formatBalance, panOf, pinFromBlock, rulesOf, sameTotals, settlementReply, timeFields } from "../../protocol/index.js";
import { ApprovalNumbers } from "./approvalNumbers.js";
import { RACY_PROCESSING_MS } from "./bugs.js";
import { cardAllows } from "../../scenario/cardFile.js";
import { type CardOperation, type CardRequest, declineCode, firstDecline } from "./declineRules.js";
import type { HostLedger, TerminalBooks, Txn } from "./hostLedger.js";
import type { ResolvedHostOptions } from "./hostOptions.js";
import { issueWorkingKeys } from "./issueWorkingKeys.js";
import { fileKey, type HostOperation, targetKey } from "./requestShape.js";
import { SeededRandom } from "./seededRandom.js";

/** A decision on a request: the response code, the host's own fields, and why. */
export interface Decision {
  code: string;
  fields?: Record<string, string>;
  outcome: string;
}

/** Batch numbers are six digits and wrap to 000001 (docs/protocol-notes.md §2.3, 60.2). */
const nextBatch = (batch: string) => String((Number(batch) % 999_999) + 1).padStart(6, "0");

/**
 * What each operation does to the books, per docs/protocol-notes.md §2.3-2.4: sign-on hands out the
 * batch and working keys; balance, purchase and pre-auth meet the decline rules; a void takes a
 * standing purchase back; a refund credits at most what is left of its purchase; a reversal
 * undoes its original once; a settlement compares totals and closes the batch. Approvals get an
 * RRN and an authorisation code; every financial request is filed, so later messages find it.
 */
/** After how many approvals the `rrn-wraps` bug hands out its RRNs again: more than a scenario has. */
const RRN_WRAP = 64n;

export class HostOperations {
  private readonly rules: TransactionRules;
  private readonly random: SeededRandom;
  private readonly refs: ApprovalNumbers;
  /** Where `refs` starts; the `rrn-per-terminal` bug starts a sequence per terminal there. */
  private readonly refsStart: bigint;
  private readonly refsPerTerminal = new Map<string, ApprovalNumbers>();

  constructor(
    private readonly dialect: Dialect,
    private readonly ledger: HostLedger,
    private readonly options: ResolvedHostOptions,
  ) {
    this.rules = rulesOf(dialect);
    this.random = new SeededRandom(options.seed);
    this.refsStart = BigInt(this.random.next());
    this.refs = new ApprovalNumbers(this.refsStart, options.bug === "rrn-wraps" ? RRN_WRAP : undefined);
  }

  /** Decides on a well-formed request from a registered terminal, updating the books. */
  decide(op: HostOperation, books: TerminalBooks, request: Message): Decision {
    switch (op) {
      case "signon":
        return this.signOn(books, request);
      case "echo":
        return { code: this.rules.codes.approved, outcome: "echo test" };
      case "balance":
      case "purchase":
      case "preauth":
      case "advice":
        return this.cardRequest(op, books, request);
      case "void":
        return this.voidPurchase(books, request);
      case "refund":
        return this.refund(books, request);
      case "reversal":
        return this.reverse(books, request);
      case "settlement":
        return this.settle(books, request);
    }
  }

  /** Hands out the open batch and, in a MAC dialect, fresh working keys under the TMK (field 62). */
  private signOn(books: TerminalBooks, request: Message): Decision {
    books.signedOn = true;
    const fields: Record<string, string> = { ...this.hostTime(), "37": this.refsOf(books).next().rrn };
    const f60 = request.fields["60"];
    if (this.rules.style === "cup" && f60 !== undefined) fields["60"] = formatField60({ ...parseField60(f60), batch: books.batch });
    if (this.dialect.table.mac === null) return { code: this.rules.codes.approved, fields, outcome: `signed on, batch ${books.batch}` };
    const { keys, field62 } = issueWorkingKeys(this.random, books.tmk);
    books.mak = keys.mak;
    books.pik = keys.pik;
    fields["62"] = field62;
    return { code: this.rules.codes.approved, fields, outcome: `signed on, batch ${books.batch}, new working keys` };
  }

  /**
   * What the card table (if the host has one) says of the card and the operation, and of the PIN:
   * a card with a PIN needs a PIN block (field 52) that reads as it under the terminal's PIN key
   * on what the cardholder enters it for (balance, purchase, pre-auth).
   */
  private inTable(pan: string, op: CardOperation, books: TerminalBooks, request: Message): CardRequest["table"] {
    const table = this.options.cards;
    if (table === undefined) return undefined;
    const card = table.get(pan);
    const block = request.fields["52"];
    const pinEntered = op === "balance" || op === "purchase" || op === "preauth";
    const pin = card?.pin === undefined || !pinEntered ? undefined : block !== undefined && pinFromBlock(block, pan, books.pik) === card.pin;
    return { known: card !== undefined, allows: card !== undefined && cardAllows(card, op), ...(pin === undefined ? {} : { pin }) };
  }

  /** Balance inquiry, purchase, pre-auth and advice: only the decline rules stand between them and approval. */
  private cardRequest(op: CardOperation, books: TerminalBooks, request: Message): Decision {
    const txn = this.newTxn(op, books, request);
    const account = this.ledger.card(txn.pan);
    const rule = firstDecline({ op, pan: txn.pan, amount: txn.amount, available: account.available, table: this.inTable(txn.pan, op, books, request) });
    if (rule !== undefined) return this.conclude(books, request, txn, { code: declineCode(this.rules.codes, rule), outcome: `${op} declined: ${rule.description}` });
    if (this.options.bug === "declines-whole-balance" && (op === "purchase" || op === "preauth") && txn.amount === account.available) {
      return this.conclude(books, request, txn, { code: this.rules.codes.insufficient_funds, outcome: `${op} declined: the amount is the whole balance (bug declines-whole-balance)` });
    }
    const fields = op === "balance" ? { "54": formatBalance(this.rules.currency, account.available) } : undefined;
    return this.conclude(books, request, txn, { code: this.rules.codes.approved, outcome: `${op} approved`, fields });
  }

  private voidPurchase(books: TerminalBooks, request: Message): Decision {
    const { codes } = this.rules;
    const txn = this.newTxn("void", books, request);
    const original = books.byRef.get(targetKey(this.dialect, request)!);
    txn.original = original;
    const rrn = request.fields["37"];
    const verdict = (code: string, why: string) => this.conclude(books, request, txn, { code, outcome: `void ${why}` });
    if (original === undefined || (rrn !== undefined && original.rrn !== rrn)) return verdict(codes.original_not_found, "of an unknown transaction");
    if (original.op !== "purchase" || !standing(original) || original.refunded > 0) {
      return verdict(codes.invalid_transaction, `refused: ${describe(original)} is not a standing, unrefunded purchase`);
    }
    if (original.amount !== txn.amount || original.pan !== txn.pan) return verdict(codes.invalid_transaction, "refused: amount or card differs from the original's");
    return verdict(codes.approved, `of ${describe(original)} approved`);
  }

  /** A refund names its purchase by RRN (any terminal of the host) or by field 61/90 (this terminal). */
  private refund(books: TerminalBooks, request: Message): Decision {
    const { codes } = this.rules;
    const txn = this.newTxn("refund", books, request);
    const rrn = request.fields["37"];
    const original = rrn !== undefined ? this.ledger.byRetrievalReference(rrn) : books.byRef.get(targetKey(this.dialect, request)!);
    txn.original = original;
    const verdict = (code: string, why: string) => this.conclude(books, request, txn, { code, outcome: `refund ${why}` });
    if (original === undefined) return verdict(codes.original_not_found, "of an unknown transaction");
    if (original.op !== "purchase" || !standing(original)) return verdict(codes.invalid_transaction, `refused: ${describe(original)} is not a standing purchase`);
    if (original.pan !== txn.pan) return verdict(codes.invalid_transaction, "refused: the card differs from the original's");
    const rule = firstDecline({ op: "refund", pan: txn.pan, amount: txn.amount, available: this.ledger.card(txn.pan).available, table: this.inTable(txn.pan, "refund", books, request) });
    if (rule !== undefined) return verdict(declineCode(codes, rule), `declined: ${rule.description}`);
    if (txn.amount > original.amount - original.refunded) return verdict(codes.exceeds_limit, `declined: above what is left to refund of ${describe(original)}`);
    return verdict(codes.approved, `of ${describe(original)} approved`);
  }

  /**
   * Undoes an approved reversible transaction once. Unknown original: 25. Repeats, and
   * reversals of declined originals, are acknowledged (00) and change nothing; a reversal the
   * books cannot honour (not reversible, different amount, voided or refunded since) gets 12.
   */
  private reverse(books: TerminalBooks, request: Message): Decision {
    const { codes } = this.rules;
    const original = books.byRef.get(targetKey(this.dialect, request)!);
    const verdict = (code: string, outcome: string) => ({ code, outcome: `reversal ${outcome}` });
    if (original === undefined) {
      if (this.options.bug !== "unknown-reversal-credits") return verdict(codes.original_not_found, "of an unknown transaction");
      this.ledger.card(panOf(request)!).available += Number(request.fields["4"] ?? 0);
      return verdict(codes.original_not_found, "of an unknown transaction, credited to the card all the same (bug unknown-reversal-credits)");
    }
    const name = describe(original);
    if (!original.approved) return verdict(codes.approved, `of declined ${name}: nothing to undo`);
    if (original.op === "advice" || !this.rules.operations[original.op].reversible) return verdict(codes.invalid_transaction, `refused: ${name} is not reversible`);
    const amount = request.fields["4"];
    if (amount !== undefined && Number(amount) !== original.amount) return verdict(codes.invalid_transaction, `refused: amount differs from ${name}`);
    if (original.reversed) {
      if (this.options.bug === "repeated-reversal-credits") {
        this.ledger.card(original.pan).available += original.amount;
        return verdict(codes.approved, `repeated: ${name} is already reversed, credited again all the same (bug repeated-reversal-credits)`);
      }
      if (this.options.bug !== "reversal-not-idempotent") return verdict(codes.approved, `repeated: ${name} is already reversed`);
      this.ledger.undo(original);
      return verdict(codes.approved, `repeated: ${name} undone again (bug reversal-not-idempotent)`);
    }
    if (original.voidedBy !== undefined || original.refunded > 0) return verdict(codes.invalid_transaction, `refused: ${name} was voided or refunded since`);
    if (this.options.bug === "reversal-ignored") return verdict(codes.approved, `of ${name} acknowledged, not applied (bug reversal-ignored)`);
    this.ledger.undo(original);
    if (this.options.bug !== "racy-double-reversal") return verdict(codes.approved, `of ${name} applied`);
    // The mark is written with the answer, after the processing time: till then the purchase looks standing.
    original.reversed = false;
    this.options.clock.setTimer(RACY_PROCESSING_MS, () => (original.reversed = true));
    return verdict(codes.approved, `of ${name} applied, marked reversed only in ${RACY_PROCESSING_MS} ms (bug racy-double-reversal)`);
  }

  /** The sequence `books`' next RRN and authorisation code come from: the host's one, or under `rrn-per-terminal` the terminal's own. */
  private refsOf(books: TerminalBooks): ApprovalNumbers {
    if (this.options.bug !== "rrn-per-terminal") return this.refs;
    let refs = this.refsPerTerminal.get(books.tid);
    if (refs === undefined) this.refsPerTerminal.set(books.tid, (refs = new ApprovalNumbers(this.refsStart)));
    return refs;
  }

  /** Compares the terminal's totals with the batch's, answers balanced or not, and closes the batch. */
  private settle(books: TerminalBooks, request: Message): Decision {
    const batch = this.batchOf(books, request);
    const sent = decodeTotals(this.dialect, request)!;
    const counted = this.ledger.totals(books, batch);
    if (this.options.bug === "settle-miscount") {
      counted.debitCount += books.journal.filter((t) => t.op === "purchase" && !t.approved && t.batch === batch).length;
    }
    const balanced = sameTotals(sent, counted);
    if (Number(batch) >= Number(books.batch)) books.batch = nextBatch(batch);
    const fields = { ...settlementReply(this.dialect, request, balanced), ...this.hostTime() };
    const host = `debits ${counted.debitCount}/${counted.debitAmount}, credits ${counted.creditCount}/${counted.creditAmount}`;
    return { code: fields["39"], fields, outcome: `settlement of batch ${batch}: ${balanced ? "balanced" : `not balanced, the host counted ${host}`}` };
  }

  /** A financial request as the books file it; `conclude` fills in the verdict. */
  private newTxn(op: Txn["op"], books: TerminalBooks, request: Message): Txn {
    return {
      op,
      tid: books.tid,
      stan: request.fields["11"],
      batch: this.batchOf(books, request),
      // The wraps-large-amount bug keeps amounts in a 32-bit integer: 999999999999 becomes -727379969.
      amount: this.options.bug === "wraps-large-amount" ? Number(request.fields["4"] ?? 0) | 0 : Number(request.fields["4"] ?? 0),
      pan: panOf(request)!,
      code: "",
      approved: false,
      reversed: false,
      refunded: 0,
    };
  }

  /** Files the request with its verdict (posting it if approved); approvals get an RRN and an authorisation code. */
  private conclude(books: TerminalBooks, request: Message, txn: Txn, d: Decision): Decision {
    txn.code = d.code;
    txn.approved = d.code === this.rules.codes.approved;
    const fields = { ...this.hostTime(), ...d.fields };
    if (txn.approved) {
      const refs = this.refsOf(books).next();
      txn.rrn = fields["37"] = refs.rrn;
      txn.auth = fields["38"] = refs.auth;
    }
    this.ledger.record(books, fileKey(this.dialect, request, txn.batch), txn);
    return { ...d, fields };
  }

  /** The batch a request posts to: CUP names it (60.2); ISO 87 posts to the terminal's open batch. */
  private batchOf(books: TerminalBooks, request: Message): string {
    return batchOf(this.dialect, request) ?? books.batch;
  }

  /** Fields 12 and 13: the host's local time and date, in the dialect's forms. */
  private hostTime(): Record<string, string> {
    return timeFields(this.dialect, new Date(this.options.epoch.getTime() + this.options.clock.now()), ["12", "13"]);
  }
}

/** Approved, and neither reversed nor voided. */
const standing = (t: Txn) => t.approved && !t.reversed && t.voidedBy === undefined;

const describe = (t: Txn) => `${t.op} STAN ${t.stan}`;
