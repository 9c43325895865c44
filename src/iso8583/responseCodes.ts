import data from "./responseCodes.json" with { type: "json" };

/** The DE39 code tables: CUP's 2-character codes (ISO 8583:1987 style) and ISO 8583:1993 action codes. */
export type ResponseCodeTable = "iso87_cup" | "iso93";

/**
 * What a code means for the sender: `approved` (carried out), `decline` (refused for the card,
 * cardholder or transaction; do not resend as is), `retry` (transient; the same request may
 * succeed later), `system` (terminal or host setup, keys or protocol, e.g. re-sign-on).
 */
export type ResponseCategory = "approved" | "decline" | "retry" | "system";

/** One code of a table, as `responseCodes.json` records it. */
export interface ResponseCodeInfo {
  code: string;
  /** English meaning. */
  en: string;
  /** Chinese meaning as a CUP terminal shows it, where a source gives one. */
  zh?: string;
  category: ResponseCategory;
  /** Set when a terminal also writes this code into a reversal (0400) as its reason. */
  reversalReason?: string;
  notes?: string;
}

// test/iso8583/responseCodes.test.ts checks the JSON, so the cast only narrows `category`.
// Entries are frozen because every caller shares them.
const index = (entries: ResponseCodeInfo[]): ReadonlyMap<string, Readonly<ResponseCodeInfo>> =>
  new Map(entries.map((e) => [e.code, Object.freeze(e)]));
const tables: Record<ResponseCodeTable, ReadonlyMap<string, Readonly<ResponseCodeInfo>>> = {
  iso87_cup: index(data.iso87_cup as ResponseCodeInfo[]),
  iso93: index(data.iso93 as ResponseCodeInfo[]),
};

/** The meaning of a DE39 code, or undefined when the table does not list it. Codes match exactly ("A0", not "a0"). */
export function responseCodeInfo(code: string, table: ResponseCodeTable = "iso87_cup"): Readonly<ResponseCodeInfo> | undefined {
  return tables[table].get(code);
}

/** Whether a DE39 code means the request was carried out (category `approved`); unknown codes are not. */
export function isApproval(code: string, table: ResponseCodeTable = "iso87_cup"): boolean {
  return responseCodeInfo(code, table)?.category === "approved";
}
