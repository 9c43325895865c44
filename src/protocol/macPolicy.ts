import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import { isReversal } from "./reversal.js";
import { isFinancial } from "./rules.js";

/**
 * Whether a request must carry a MAC: in a dialect that has one, every financial request (an
 * operation with a processing code) and every reversal, as CUP terminals send DE64 on 0100,
 * 0200, 0220 and 0400 (docs/protocol-notes.md §2.4). Network management (sign-on, echo, settlement) may
 * carry one; a host checks it when present.
 */
export function macRequired(dialect: Dialect, m: Message): boolean {
  if (dialect.table.mac === null) return false;
  return isReversal(dialect, m) || isFinancial(dialect, m);
}

/**
 * Whether a terminal checks the MAC of an answer to `request`: where the request needed one
 * (`macRequired`), except a reversal's, which any answer closes (docs/protocol-notes.md §2.7).
 * Network management (sign-on, echo) and reconciliation (settlement) answers carry none to check.
 */
export function answerMacChecked(dialect: Dialect, request: Message): boolean {
  return macRequired(dialect, request) && !isReversal(dialect, request);
}
