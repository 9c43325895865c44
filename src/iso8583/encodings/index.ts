import type { FieldTable } from "../dialectTable.js";
import { ascii } from "./ascii.js";
import { bcd } from "./bcd.js";
import { binary } from "./binary.js";
import type { DataCodec } from "./dataCodec.js";

export type { DataCodec } from "./dataCodec.js";

/** Data encodings by the names dialect tables use (`data_encoding`). */
export const DATA_ENCODINGS: Record<FieldTable["data_encoding"], (field: FieldTable, key: string) => DataCodec> = {
  ascii,
  bcd,
  binary,
};
