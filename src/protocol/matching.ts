import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import { batchOf } from "./fields.js";
import { originalMti, responseMti, rulesOf } from "./rules.js";

/** One way a response fails to answer its request. */
export interface Mismatch {
  field: string;
  expected: string | undefined;
  actual: string | undefined;
}

/** Partial approval: the one code under which the amount may differ. */
const PARTIAL_APPROVAL = "10";

/**
 * What makes `response` not an answer to `request`, as a terminal checks it (CUP
 * `ProcRspPacket`): MTI + 10; fields 3, 11 and 41 equal; 42 equal on approval; 4 equal unless
 * partially approved. Empty when it answers. The MAC is checked separately.
 */
export function responseMismatches(dialect: Dialect, request: Message, response: Message): Mismatch[] {
  const out: Mismatch[] = [];
  const expectMti = responseMti(request.mti);
  if (response.mti !== expectMti) out.push({ field: "mti", expected: expectMti, actual: response.mti });
  const same = (k: string) => {
    const want = request.fields[k];
    if (want !== undefined && response.fields[k] !== want) out.push({ field: k, expected: want, actual: response.fields[k] });
  };
  same("3");
  same("11");
  same("41");
  const code = response.fields["39"];
  if (code === rulesOf(dialect).codes.approved) same("42");
  // A response may leave the amount out; if it carries one, it must be the request's.
  if (code !== PARTIAL_APPROVAL && response.fields["4"] !== undefined) same("4");
  return out;
}

/**
 * Which of the requests waiting on one connection `response` answers: the first whose response
 * MTI and STAN it carries, else the first whose response MTI it carries, else the oldest. A host
 * may answer two requests in flight in either order, and an answer with a wrong STAN is still
 * the answer of the request of its kind (and reported as a wrong answer, not a lost one).
 */
export function answeredIndex(waiting: readonly Message[], response: Message): number {
  let byMti = -1;
  for (let i = 0; i < waiting.length; i++) {
    if (response.mti !== responseMti(waiting[i].mti)) continue;
    if (response.fields["11"] === waiting[i].fields["11"]) return i;
    if (byMti < 0) byMti = i;
  }
  return Math.max(0, byMti);
}

/**
 * The key a host recognises a repeated request by: the dialect's matching fields (TID, MID,
 * STAN) plus the batch (CUP) or transmission time (ISO 87), so a STAN that wraps in a new
 * batch is a new request; a repeat MTI counts as its original's.
 */
export function requestKey(dialect: Dialect, m: Message): string {
  // A repeated advice (0221) is the same request as its first send (0220).
  const parts = [originalMti(dialect, m.mti), ...rulesOf(dialect).matching_key.map((k) => m.fields[k] ?? "")];
  parts.push(batchOf(dialect, m) ?? m.fields["7"] ?? "");
  return parts.join("|");
}
