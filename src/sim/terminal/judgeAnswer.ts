import type { Dialect } from "../../iso8583/dialect.js";
import { Iso8583Error } from "../../iso8583/errors.js";
import { checkMac } from "../../iso8583/macMessage.js";
import type { Message } from "../../iso8583/message.js";
import { unpack } from "../../iso8583/unpack.js";
import { answerMacChecked, responseMismatches, type ReversalCause, rulesOf } from "../../protocol/index.js";

/** Whether a frame validly answers a request, and if not, the reversal cause it amounts to. */
export type Judgement = { kind: "valid"; response: Message } | { kind: "invalid"; cause: ReversalCause; why: string };

/** How a seeded bug judges answers wrongly. */
export interface LaxJudging {
  /** Echo fields (or `mti`) not compared. */
  unchecked?: readonly string[];
  /**
   * Reads an answer until its data runs out: one cut on a field boundary is taken as complete,
   * its missing fields go uncompared and its missing MAC unchecked (`takes-truncated-approval`).
   */
  takesCutAnswer?: boolean;
}

/**
 * Judges an answer as a CUP terminal's `ProcRspPacket` does (docs/protocol-notes.md §2.4): it must
 * decode, answer the request (MTI + 10; fields 3, 11, 41, 4 equal; 42 on approval), carry a
 * two-character code, and on approval carry a MAC that verifies under `mak` where the request
 * needed one (financial requests: `macRequired`). Reversal answers are exempt: any code closes
 * a reversal. `lax` is how a seeded bug gets it wrong.
 */
export function judgeAnswer(dialect: Dialect, request: Message, body: Buffer, mak: Buffer, lax: LaxJudging = {}): Judgement {
  let response: Message;
  let cut = false;
  try {
    response = unpack(dialect, body);
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    cut = lax.takesCutAnswer === true && e.kind === "truncated" && e.offset === body.length && e.partial !== undefined;
    if (!cut) return { kind: "invalid", cause: "other", why: `the answer does not decode (${e.message})` };
    response = e.partial!;
  }
  const unchecked = lax.unchecked ?? [];
  const mismatch = responseMismatches(dialect, request, response).find((m) => !unchecked.includes(m.field) && !(cut && m.actual === undefined));
  if (mismatch !== undefined) {
    const field = mismatch.field === "mti" ? "the MTI" : `field ${mismatch.field}`;
    return { kind: "invalid", cause: "other", why: `the answer does not match the request: ${field} is ${mismatch.actual ?? "missing"}, expected ${mismatch.expected}` };
  }
  const code = response.fields["39"];
  // The codec held field 39 to the dialect's length and class: any code it decoded is one.
  if (code === undefined) return { kind: "invalid", cause: "other", why: "the answer carries no response code" };
  const mac = dialect.table.mac;
  const approved = code === rulesOf(dialect).codes.approved;
  const macProtected = answerMacChecked(dialect, request);
  const macMissing = cut && mac !== null && response.fields[String(mac.field)] === undefined;
  if (mac !== null && macProtected && !macMissing && (approved || mac.verify === "always") && checkMac(dialect, body, response, mak) !== "ok") {
    return { kind: "invalid", cause: "bad_mac", why: "the answer's MAC does not verify" };
  }
  return { kind: "valid", response };
}
