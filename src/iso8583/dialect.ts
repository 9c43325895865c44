import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dialectTableSchema, type DialectTable, type FieldTable } from "./dialectTable.js";
import { FieldCodec } from "./field.js";
import { lengthPrefix } from "./lengths.js";
import { codeProblems, extraFieldProblems, macFieldProblems, operationProblems } from "./operationProblems.js";
import { timeFieldProblems } from "./timeFormats.js";

/**
 * A short fingerprint of a dialect's table: two files that share a name but not their fields
 * (a lab's own "cup") tell apart by it.
 */
export const dialectDigest = (d: Pick<Dialect, "table">): string => createHash("sha256").update(JSON.stringify(d.table)).digest("hex").slice(0, 16);

/** A dialect compiled for packing and unpacking. Built from a `DialectTable` by `loadDialect`. */
export interface Dialect {
  readonly name: string;
  /** Where the dialect came from, for errors: its file's path, or `built-in dialect cup`. */
  readonly source: string;
  readonly table: DialectTable;
  /** Bytes of the fixed header before the MTI (0 when none). */
  readonly headerBytes: number;
  /** The numbers of the fields the dialect defines, ascending. */
  readonly fieldNumbers: readonly number[];
  /** Field codecs by field number; `undefined` where the dialect defines none. */
  readonly fields: ReadonlyArray<FieldCodec | undefined>;
  /** The same codecs by field key ("2" … "128"), for packing a message's `fields` object. */
  readonly fieldsByKey: Readonly<Record<string, FieldCodec>>;
}

/** A dialect table that cannot be used; the message names the key and the expected shape. */
export class DialectError extends Error {
  override readonly name = "DialectError";
}

const LENGTH_DIGITS = { LL: 2, LLL: 3, LLLL: 4 } as const;

/** Rules the schema cannot say alone; returns problems as `path: text`. */
function fieldProblems(f: FieldTable, path: string): string[] {
  const out: string[] = [];
  if (f.length_type === "fixed") {
    if (f.length_prefix_encoding !== null || f.length_prefix_bytes !== null) {
      out.push(`${path}: a fixed field has length_prefix_encoding and length_prefix_bytes null`);
    }
  } else {
    const digits = LENGTH_DIGITS[f.length_type];
    const enc = f.length_prefix_encoding;
    const bytes = f.length_prefix_bytes;
    if (enc === null || bytes === null) {
      out.push(`${path}: a ${f.length_type} field needs length_prefix_encoding and length_prefix_bytes`);
    } else {
      const expected = enc === "ascii" ? digits : enc === "bcd" ? Math.ceil(digits / 2) : bytes;
      if (bytes !== expected) {
        out.push(`${path}.length_prefix_bytes: ${f.length_type} in ${enc} takes ${expected} byte(s), got ${bytes}`);
      } else if (f.max_length > Math.min(10 ** digits - 1, lengthPrefix(enc, bytes).capacity)) {
        out.push(`${path}.max_length: ${f.max_length} does not fit a ${f.length_type} ${enc} prefix`);
      }
    }
  }
  if (f.length_prefix_nibbles !== undefined) {
    const packs = f.length_type === "LLL" && f.length_prefix_encoding === "bcd" && f.data_encoding === "bcd" && f.length_unit === "digits";
    if (!packs) out.push(`${path}.length_prefix_nibbles: a 3-nibble prefix goes with length_type LLL, bcd prefix and bcd data counting digits`);
    else if (f.pad?.side !== "right") out.push(`${path}.pad: with a 3-nibble prefix the filler of an odd total goes at the end: side right`);
  }
  if (f.data_encoding !== "bcd" && f.length_unit !== "bytes") {
    out.push(`${path}.length_unit: ${f.data_encoding} fields count bytes`);
  }
  if (f.data_encoding === "bcd") {
    if (f.content !== "n" && f.content !== "z") out.push(`${path}.content: bcd fields carry n or z`);
    if (f.length_unit === "digits" && f.pad === null) {
      out.push(`${path}.pad: a bcd field counting digits needs a pad {side, char} for odd lengths`);
    }
    // Counting bytes, a filler must be told from a digit when read back: F, not 0.
    if (f.length_unit === "bytes" && f.pad !== null && (/^[0-9]$/.test(f.pad.char) || (f.content === "z" && f.pad.char === "D"))) {
      out.push(`${path}.pad: a bcd field counting bytes fills an odd digit count with a nibble that is no digit (F), got ${f.pad.char}`);
    }
  } else if (f.pad !== null) {
    out.push(`${path}.pad: only bcd fields are padded`);
  }
  if (f.data_encoding === "binary" && f.content !== "b" && f.content !== "x+n") {
    out.push(`${path}.content: binary fields carry b (or x+n)`);
  }
  return out;
}

/** `fields[26] (field 28).pad` rather than `fields.26.pad`: people look fields up by number. */
function issuePath(json: unknown, path: PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) => {
      if (typeof p !== "number") return i === 0 ? String(p) : `.${String(p)}`;
      const number = path[0] === "fields" && i === 1 ? (json as { fields: { number?: unknown }[] }).fields[p]?.number : undefined;
      return typeof number === "number" ? `[${p}] (field ${number})` : `[${p}]`;
    })
    .join("");
}

/**
 * The parts of the dialect's messages that are not text (a header, a BCD MTI, a binary bitmap,
 * BCD or binary fields and length prefixes): any byte can turn up there, STX and ETX among them.
 */
export function binaryParts(table: DialectTable): string[] {
  const out: string[] = [];
  if (table.header != null) out.push("the header");
  if (table.mti.encoding !== "ascii") out.push(`the MTI (${table.mti.encoding})`);
  if (table.bitmap.encoding === "binary") out.push("the bitmap (binary)");
  for (const f of table.fields) {
    if (f.data_encoding !== "ascii" || (f.length_prefix_encoding !== null && f.length_prefix_encoding !== "ascii")) out.push(`field ${f.number}`);
  }
  return out;
}

/** A framing that delimits frames with STX and ETX carries text only: what of `table` it could not carry, as a problem. */
export function stxEtxProblem(table: DialectTable, where: string): string | undefined {
  const parts = binaryParts(table);
  if (parts.length === 0) return undefined;
  const more = parts.length > 4 ? ` and ${parts.length - 4} more fields` : "";
  return `${where}: stx-etx delimits frames with control bytes and carries text only, and ${parts.slice(0, 4).join(", ")}${more} of dialect ${table.dialect} may hold any byte: use a length framing (binary2, bcd2, ascii4, binary4)`;
}

/** Validates a parsed dialect file and compiles it; `source` names it in errors. */
export function loadDialect(json: unknown, source = "dialect"): Dialect {
  const parsed = dialectTableSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${issuePath(json, i.path)}: ${i.message}`);
    throw new DialectError(`${source}: ${lines.join("; ")}`);
  }
  const table = parsed.data;
  const problems: string[] = [];
  const seen = new Set<number>();
  table.fields.forEach((f, i) => {
    const path = `fields[${i}] (field ${f.number})`;
    if (seen.has(f.number)) problems.push(`${path}: field ${f.number} is defined twice`);
    seen.add(f.number);
    if (table.undefined_fields.includes(f.number)) problems.push(`${path}: field ${f.number} is also in undefined_fields`);
    if (f.number > 64 && !table.bitmap.secondary_bitmap) {
      problems.push(`${path}: fields above 64 need bitmap.secondary_bitmap true`);
    }
    problems.push(...fieldProblems(f, path));
  });
  const header = table.header;
  if (header?.default !== undefined && header.default.length !== header.bytes * 2) {
    problems.push(`header.default: expected ${header.bytes * 2} hex characters`);
  }
  // The codec reads a bitmap's size from its encoding; a size key that disagrees is refused, not ignored.
  const bitmapBytes = table.bitmap.encoding === "binary" ? 8 : 16;
  if (table.bitmap.bytes_per_bitmap !== undefined && table.bitmap.bytes_per_bitmap !== bitmapBytes) {
    problems.push(`bitmap.bytes_per_bitmap: a ${table.bitmap.encoding} bitmap is ${bitmapBytes} bytes, got ${table.bitmap.bytes_per_bitmap}`);
  }
  if (table.transactions !== undefined && problems.length === 0) {
    problems.push(...operationProblems(table.transactions, table.iso_version), ...codeProblems(table.transactions, table.fields), ...extraFieldProblems(table.transactions, table.fields), ...timeFieldProblems(table), ...macFieldProblems(table));
  }
  const framingName = typeof table.framing === "string" ? table.framing : table.framing.name;
  const framingProblem = framingName === "stx-etx" && problems.length === 0 ? stxEtxProblem(table, "framing") : undefined;
  if (framingProblem !== undefined) problems.push(framingProblem);
  if (problems.length > 0) throw new DialectError(`${source}: ${problems.join("; ")}`);

  const fields: (FieldCodec | undefined)[] = new Array(129).fill(undefined);
  const fieldsByKey: Record<string, FieldCodec> = Object.create(null);
  for (const f of table.fields) {
    const codec = new FieldCodec(f);
    fields[f.number] = codec;
    fieldsByKey[codec.key] = codec;
  }
  const fieldNumbers = table.fields.map((f) => f.number).sort((a, b) => a - b);
  return { name: table.dialect, source, table, headerBytes: header?.bytes ?? 0, fieldNumbers, fields, fieldsByKey };
}

/** Reads and compiles a dialect JSON file. */
export function loadDialectFile(path: string): Dialect {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DialectError(`${path}: cannot read the dialect file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DialectError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return loadDialect(json, path);
}
