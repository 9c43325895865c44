import type { Message } from "../../iso8583/message.js";
import { DEFAULT_PIK } from "../defaults.js";
import type { Totals } from "../../protocol/index.js";
import { type CardOperation, openingBalance } from "./declineRules.js";

/** One financial request the host decided on, approved or declined. */
export interface Txn {
  op: CardOperation | "void";
  tid: string;
  stan: string;
  batch: string;
  /** Minor units; 0 for a balance inquiry. */
  amount: number;
  pan: string;
  /** The response code it was answered with. */
  code: string;
  approved: boolean;
  rrn?: string;
  auth?: string;
  reversed: boolean;
  /** The approved void that cancels this purchase, while it stands. */
  voidedBy?: Txn;
  /** Refunded so far against this purchase. */
  refunded: number;
  /** The purchase a void or refund refers to. */
  original?: Txn;
}

/** An answer as sent, kept so a duplicate can be answered with a replay. */
export interface SentAnswer {
  message: Message;
  frame: Buffer;
}

/** A terminal as the registry gives it: who it is, its keys, and the batch it starts in. */
export interface Registration {
  readonly tid: string;
  readonly mid: string;
  readonly tmk: Buffer;
  readonly mak: Buffer;
  readonly batch: string;
}

/** What the host knows about one registered terminal. */
export interface TerminalBooks {
  readonly tid: string;
  readonly mid: string;
  readonly tmk: Buffer;
  /** The MAC key in force: the initial one until the first sign-on, then the last issued. */
  mak: Buffer;
  /** The PIN key in force, likewise: a card's PIN block is read under it. */
  pik: Buffer;
  signedOn: boolean;
  /** The open batch: the one sign-on hands out, and the one ISO 87 requests post to. */
  batch: string;
  /** Financial requests by the reference later messages name them with (STAN and batch or date). */
  readonly byRef: Map<string, Txn>;
  /** Every financial request, in arrival order. */
  readonly journal: Txn[];
  /** Approved and not taken back, per batch. */
  readonly totals: Map<string, Totals>;
  /** Answers by request key, for duplicate detection. */
  readonly answers: Map<string, SentAnswer>;
}

export interface CardAccount {
  opening: number;
  available: number;
}

/** A transaction as the snapshot shows it (no card number). */
export interface TxnSnapshot {
  op: Txn["op"];
  stan: string;
  batch: string;
  amount: number;
  rrn: string;
  auth: string;
  reversed: boolean;
  voided: boolean;
}

export interface TerminalSnapshot {
  mid: string;
  signedOn: boolean;
  /** The open batch. */
  batch: string;
  /** Every approved financial transaction, in order, reversed ones included. */
  approved: TxnSnapshot[];
  /** The approved transactions since reversed. */
  reversed: TxnSnapshot[];
  /** Approved minus taken back, per batch. */
  totals: Record<string, Totals>;
}

/** A read-only copy of the host's books. Card numbers are keys of `cards`, in clear: mask before printing. */
export interface HostSnapshot {
  terminals: Record<string, TerminalSnapshot>;
  cards: Record<string, CardAccount>;
  /** True once the `crash-on-malformed` bug has stopped the host answering. */
  muted: boolean;
}

/** The PIN key a terminal has before its first sign-on. */
const INITIAL_PIK = Buffer.from(DEFAULT_PIK, "hex");

const emptyTotals = (): Totals => ({ debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 });

/**
 * The host's books: terminals, their transactions and batch totals, and card balances. Every
 * change is synchronous, so answers computed one after another from many connections can never
 * lose an update.
 */
export class HostLedger {
  private readonly terminals = new Map<string, TerminalBooks>();
  /**
   * Terminals registered but not yet met: their books are opened at first use. A host knows 128
   * terminals by default and a scenario uses a few, so opening them all cost more than the scenario.
   */
  private readonly enrolled = new Map<string, Registration>();
  private readonly cards = new Map<string, CardAccount>();
  private readonly byRrn = new Map<string, Txn>();

  /** `openingOf`: a card's balance before the host has seen it (a card table's, else the decline rules'). */
  constructor(private readonly openingOf: (pan: string) => number = openingBalance) {}

  /** Registers a terminal whose books open when it is first met (`terminal`). */
  enrol(t: Registration): void {
    this.enrolled.set(t.tid, t);
  }

  /** Registers a terminal and opens its books now. */
  register(t: Registration): TerminalBooks {
    this.enrolled.delete(t.tid);
    const books: TerminalBooks = { ...t, mak: Buffer.from(t.mak), pik: Buffer.from(INITIAL_PIK), signedOn: false, byRef: new Map(), journal: [], totals: new Map(), answers: new Map() };
    this.terminals.set(t.tid, books);
    return books;
  }

  terminal(tid: string): TerminalBooks | undefined {
    const books = this.terminals.get(tid);
    if (books !== undefined) return books;
    const enrolled = this.enrolled.get(tid);
    return enrolled === undefined ? undefined : this.register(enrolled);
  }

  card(pan: string): CardAccount {
    let account = this.cards.get(pan);
    if (account === undefined) {
      const opening = this.openingOf(pan);
      account = { opening, available: opening };
      this.cards.set(pan, account);
    }
    return account;
  }

  /** The card accounts as they stand, for `restoreCards`. */
  saveCards(): ReadonlyMap<string, CardAccount> {
    return new Map([...this.cards].map(([pan, a]) => [pan, { ...a }]));
  }

  /** Puts the card accounts back as `saveCards` found them (what every other book holds stays). */
  restoreCards(saved: ReadonlyMap<string, CardAccount>): void {
    this.cards.clear();
    for (const [pan, a] of saved) this.cards.set(pan, { ...a });
  }

  /** The approved transaction an RRN was given to. */
  byRetrievalReference(rrn: string): Txn | undefined {
    return this.byRrn.get(rrn);
  }

  /** Files a decided request under `ref`, and posts it if approved. */
  record(books: TerminalBooks, ref: string, txn: Txn): void {
    books.journal.push(txn);
    books.byRef.set(ref, txn);
    if (!txn.approved) return;
    if (txn.rrn !== undefined) this.byRrn.set(txn.rrn, txn);
    this.apply(txn, 1);
  }

  /** Takes an approved transaction's effect back and marks it reversed. */
  undo(txn: Txn): void {
    this.apply(txn, -1);
    txn.reversed = true;
  }

  /** A copy of a batch's totals. */
  totals(books: TerminalBooks, batch: string): Totals {
    return { ...(books.totals.get(batch) ?? emptyTotals()) };
  }

  snapshot(muted: boolean): HostSnapshot {
    const view = (t: Txn): TxnSnapshot => ({
      op: t.op,
      stan: t.stan,
      batch: t.batch,
      amount: t.amount,
      rrn: t.rrn ?? "",
      auth: t.auth ?? "",
      reversed: t.reversed,
      voided: t.voidedBy !== undefined,
    });
    const terminals: Record<string, TerminalSnapshot> = {};
    for (const tid of [...this.enrolled.keys()]) this.terminal(tid);
    for (const b of this.terminals.values()) {
      const approved = b.journal.filter((t) => t.approved);
      terminals[b.tid] = {
        mid: b.mid,
        signedOn: b.signedOn,
        batch: b.batch,
        approved: approved.map(view),
        reversed: approved.filter((t) => t.reversed).map(view),
        totals: Object.fromEntries([...b.totals].map(([batch, t]) => [batch, { ...t }])),
      };
    }
    const cards = Object.fromEntries([...this.cards].map(([pan, a]) => [pan, { ...a }]));
    return { terminals, cards, muted };
  }

  /**
   * Adds (`sign` 1) or takes back (-1) what an approval does: a purchase or an advice (of a
   * purchase approved offline) debits the card and counts in its batch's debits, a pre-auth holds the amount on the card, a refund credits the
   * card and counts in the credits, and a void takes its purchase back.
   */
  private apply(t: Txn, sign: 1 | -1): void {
    switch (t.op) {
      case "purchase":
      case "advice":
        this.count(t, "debit", sign);
        this.card(t.pan).available -= sign * t.amount;
        return;
      case "preauth":
        this.card(t.pan).available -= sign * t.amount;
        return;
      case "refund":
        this.count(t, "credit", sign);
        this.card(t.pan).available += sign * t.amount;
        t.original!.refunded += sign * t.amount;
        return;
      case "void":
        this.apply(t.original!, sign === 1 ? -1 : 1);
        t.original!.voidedBy = sign === 1 ? t : undefined;
        return;
      case "balance":
        return;
    }
  }

  private count(t: Txn, side: "debit" | "credit", sign: 1 | -1): void {
    const books = this.terminals.get(t.tid)!;
    let totals = books.totals.get(t.batch);
    if (totals === undefined) books.totals.set(t.batch, (totals = emptyTotals()));
    totals[`${side}Count`] += sign;
    totals[`${side}Amount`] += sign * t.amount;
  }
}
