import type { Dialect } from "../iso8583/dialect.js";
import type { RequestOperation } from "../iso8583/dialectTable.js";
import type { Message } from "../iso8583/message.js";
import { cupField60, originalData, textIn, timeFields } from "./fields.js";
import { pinBlock } from "./pinBlock.js";
import { profileOf } from "./profile.js";
import { requestRule, rulesOf } from "./rules.js";
import { encodeTotals, type Totals } from "./totals.js";

/** The card a request is made with. With `track2` the request is swiped, else keyed in. */
export interface Card {
  pan: string;
  /** YYMM */
  expiry: string;
  /** Track 2 equivalent, separator `=` (it becomes `D` in BCD dialects). */
  track2?: string;
  /** The cardholder's PIN, where the card has one: the request carries it as a PIN block (field 52). */
  pin?: string;
}

/** What a void or refund refers to, as the terminal recorded it from the original's answer. */
export interface OriginalRef {
  mti: string;
  stan: string;
  batch: string;
  /** MMDD of the original. */
  date: string;
  /** ISO 87 field 7 of the original (MMDDhhmmss). */
  transmission: string;
  rrn?: string;
  auth?: string;
}

export interface RequestParams {
  op: RequestOperation;
  tid: string;
  mid: string;
  stan: string;
  batch: string;
  now: Date;
  card?: Card;
  /** Minor units, 12 digits. */
  amount?: string;
  original?: OriginalRef;
  totals?: Totals;
  /** The terminal's PIN key, for a card with a PIN (field 52). */
  pinKey?: Buffer;
}

/** Entry modes: magnetic stripe read vs manually keyed, with and without PIN capability. */
const ENTRY_SWIPED = "021";
const ENTRY_KEYED = "012";

function cardFields(dialect: Dialect, card: Card): Record<string, string> {
  if (card.track2 !== undefined) {
    // CUP and the binary dialect carry track 2 as BCD, where the separator is the nibble D.
    const bcdTrack = dialect.fields[35]?.spec.data_encoding === "bcd";
    const track = bcdTrack ? card.track2.replace("=", "D") : card.track2;
    return profileOf(dialect).field2 === "always" ? { "2": card.pan, "22": ENTRY_SWIPED, "35": track } : { "22": ENTRY_SWIPED, "35": track };
  }
  return { "2": card.pan, "14": card.expiry, "22": ENTRY_KEYED };
}

function need<T>(value: T | undefined, what: string, op: RequestOperation): T {
  if (value === undefined) throw new Error(`a ${op} request needs ${what}`);
  return value;
}

/**
 * A request as a correct terminal builds it (docs/protocol-notes.md §2.3-2.4 for CUP; ISO 8583:1987
 * for the iso87 dialects). The MAC field is left to the caller (`packWithMac`).
 */
export function buildRequest(dialect: Dialect, p: RequestParams): Message {
  const rules = rulesOf(dialect);
  const rule = requestRule(dialect, p.op);
  const cup = rules.style === "cup";
  const f: Record<string, string> = {};
  const financial = rule.processing_code !== undefined;

  if (financial) {
    const card = need(p.card, "a card", p.op);
    Object.assign(f, cardFields(dialect, card));
    // A PIN goes where the dialect has a PIN data field; voids and refunds are not PIN-verified.
    if (card.pin !== undefined && p.pinKey !== undefined && dialect.fields[52] !== undefined && (p.op === "purchase" || p.op === "balance" || p.op === "preauth")) {
      f["52"] = pinBlock(card.pin, card.pan, p.pinKey);
    }
    f["3"] = rule.processing_code!;
    if (p.op !== "balance") f["4"] = need(p.amount, "an amount", p.op);
    f["25"] = rule.pos_condition ?? "00";
    f["49"] = rules.currency;
  }
  if (!cup) Object.assign(f, timeFields(dialect, p.now, financial ? ["7", "12", "13"] : ["7"]));
  f["11"] = p.stan;
  f["41"] = p.tid;
  f["42"] = p.mid;

  if (p.op === "void" || p.op === "refund") {
    const o = need(p.original, "the original transaction", p.op);
    if (o.rrn !== undefined) f["37"] = o.rrn;
    if (p.op === "void" && o.auth !== undefined) f["38"] = o.auth;
    if (cup) f["61"] = o.batch + o.stan + (p.op === "refund" ? o.date : "");
    else f["90"] = originalData(o.mti, o.stan, o.transmission);
  }
  if (p.op === "settlement") Object.assign(f, encodeTotals(dialect, need(p.totals, "totals", p.op)));

  if (cup) {
    f["60"] = cupField60(rule.type_code ?? "00", p.batch, rule.network_code ?? "000");
    if (p.op === "signon" || p.op === "settlement") f["63"] = textIn(dialect, "63", "01 "); // operator number
    if (p.op === "refund") f["63"] = textIn(dialect, "63", "CUP");
  } else if (rule.network_code !== undefined) {
    f["70"] = rule.network_code;
  }
  // The SUT's own extra fields, after the kit's, so a copy reads the value the request carries.
  for (const [k, v] of Object.entries(rule.fields ?? {})) {
    const value = typeof v === "string" ? v : f[v.copy];
    if (value !== undefined) f[k] = value;
  }
  // Integer-like keys enumerate in ascending order whatever the insertion order: no sort needed.
  return { mti: rule.mti, fields: f };
}
