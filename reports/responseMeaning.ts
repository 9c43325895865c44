import type { Dialect } from "../src/iso8583/dialect.js";
import { responseCodeInfo } from "../src/iso8583/responseCodes.js";

/** The response code's meaning, for field 39 in the dialect's own code table. */
export function responseMeaning(dialect: Dialect, field: string, value: string): string | undefined {
  if (field !== "39") return undefined;
  const info = responseCodeInfo(value, dialect.table.response_codes);
  if (info === undefined) return "(not in the response code table)";
  return `${info.en}${info.zh ? ` ${info.zh}` : ""} [${info.category}]`;
}
