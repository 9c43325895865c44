import type { Dialect } from "../iso8583/dialect.js";
import { replyHeader } from "../iso8583/cup.js";
import type { Message } from "../iso8583/message.js";
import { responseMti, rulesOf } from "./rules.js";

/**
 * Request fields a response carries back, so the terminal can match it (docs/protocol-notes.md §2.4);
 * ISO 87 network management replies also echo field 70, the function they answer.
 */
const ECHOED = ["2", "3", "4", "7", "11", "22", "25", "41", "42", "49", "60", "61", "70", "90"];

export interface ResponseParams {
  code: string;
  /** Fields the host adds or overrides (37 RRN, 38 auth code, 12/13 host time, 54, 62 ...). */
  fields?: Record<string, string>;
}

/**
 * A host's answer to `request`: MTI + 10, the TPDU swapped (CUP), the echoed fields, the
 * response code in 39, then the host's own fields. The MAC is left to the caller.
 */
export function buildResponse(dialect: Dialect, request: Message, p: ResponseParams): Message {
  const fields: Record<string, string> = {};
  for (const k of ECHOED) {
    const v = request.fields[k];
    if (v !== undefined) fields[k] = v;
  }
  fields["39"] = p.code;
  if (p.fields) Object.assign(fields, p.fields);
  const m: Message = { mti: responseMti(request.mti), fields };
  if (request.header !== undefined) m.header = rulesOf(dialect).style === "cup" ? replyHeader(request.header) : request.header;
  return m;
}
