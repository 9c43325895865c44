import { XMLParser } from "fast-xml-parser";
import { DialectError, loadDialect } from "./dialect.js";
import type { DialectTable, FieldTable } from "./dialectTable.js";

/**
 * jPOS GenericPackager XML (`<isopackager><isofield id= length= name= class= pad=/>…`), the field
 * table most labs already hold for their hosts, as a dialect table. Each field class maps to an
 * encoding, a length type and a prefix; a class with no equivalent (EBCDIC, say) is an error
 * naming its element, never a guess. The table has no `transactions` block: the packager says
 * how messages are built, not how transactions are carried.
 */

type Prefix = Pick<FieldTable, "length_type" | "length_prefix_encoding" | "length_prefix_bytes">;
type Shape = Omit<FieldTable, "number" | "max_length" | "description"> & { numeric?: boolean };

const FIXED: Prefix = { length_type: "fixed", length_prefix_encoding: null, length_prefix_bytes: null };
const ascii = (type: "LL" | "LLL" | "LLLL"): Prefix => ({ length_type: type, length_prefix_encoding: "ascii", length_prefix_bytes: type.length });
const bcd = (type: "LL" | "LLL" | "LLLL"): Prefix => ({ length_type: type, length_prefix_encoding: "bcd", length_prefix_bytes: type === "LL" ? 1 : 2 });
const binary = (type: "LL" | "LLL"): Prefix => ({ length_type: type, length_prefix_encoding: "binary", length_prefix_bytes: type === "LL" ? 1 : 2 });

const text = (prefix: Prefix): Shape => ({ ...prefix, content: "ans", data_encoding: "ascii", length_unit: "bytes", pad: null });
const digits = (prefix: Prefix): Shape => ({ ...prefix, content: "n", data_encoding: "ascii", length_unit: "bytes", pad: null, numeric: true });
const hexText = (prefix: Prefix): Shape => ({ ...prefix, content: "hex", data_encoding: "ascii", length_unit: "bytes", pad: null });
const bytes = (prefix: Prefix): Shape => ({ ...prefix, content: "b", data_encoding: "binary", length_unit: "bytes", pad: null });
/** BCD digits counted in digits; an odd count is filled on the right, on the left with `pad="true"` (see below). */
const packed = (prefix: Prefix): Shape => ({ ...prefix, content: "n", data_encoding: "bcd", length_unit: "digits", pad: { side: "right", char: "0" }, numeric: true });

/** jPOS field classes (`org.jpos.iso.*`) by simple name. */
const CLASSES: Record<string, Shape> = {
  IF_CHAR: text(FIXED),
  IFA_NUMERIC: digits(FIXED),
  IFA_LLNUM: digits(ascii("LL")),
  IFA_LLLNUM: digits(ascii("LLL")),
  IFA_LLCHAR: text(ascii("LL")),
  IFA_LLLCHAR: text(ascii("LLL")),
  IFA_LLLLCHAR: text(ascii("LLLL")),
  IFA_BINARY: hexText(FIXED),
  IFA_AMOUNT: { ...FIXED, content: "x+n", data_encoding: "ascii", length_unit: "bytes", pad: null },
  IFB_NUMERIC: packed(FIXED),
  IFB_LLNUM: packed(bcd("LL")),
  IFB_LLLNUM: packed(bcd("LLL")),
  IFB_LLHNUM: packed(binary("LL")),
  IFB_LLCHAR: text(bcd("LL")),
  IFB_LLLCHAR: text(bcd("LLL")),
  IFB_LLHCHAR: text(binary("LL")),
  IFB_BINARY: bytes(FIXED),
  IFB_LLBINARY: bytes(bcd("LL")),
  IFB_LLLBINARY: bytes(bcd("LLL")),
  IFB_LLHBINARY: bytes(binary("LL")),
};

/** Classes of fields 0 and 1 (the MTI and the bitmap) and what they make of the table. */
const MTI_CLASSES: Record<string, DialectTable["mti"]> = { IFA_NUMERIC: { encoding: "ascii", bytes: 4 }, IFB_NUMERIC: { encoding: "bcd", bytes: 2 } };
const BITMAP_CLASSES: Record<string, DialectTable["bitmap"]["encoding"]> = { IFA_BITMAP: "ascii_hex", IFB_BITMAP: "binary" };

/** Fields whose digits are track data: the separator (`=`, nibble D) is allowed. */
const TRACKS = new Set([35, 36]);

export class PackagerError extends DialectError {}

/** The dialect table a GenericPackager XML describes; `source` names the file in errors. */
export function importJposPackager(xml: string, name: string, source = "packager"): DialectTable {
  let doc: unknown;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (tag) => tag === "isofield" || tag === "isofieldpackager" }).parse(xml, true);
  } catch (e) {
    throw new PackagerError(`${source}: not well-formed XML (${(e as Error).message.split("\n")[0]})`);
  }
  const root = (doc as { isopackager?: { isofield?: Record<string, string>[]; isofieldpackager?: unknown[] } }).isopackager;
  if (root === undefined || root.isofield === undefined) throw new PackagerError(`${source}: expected <isopackager> with <isofield> elements (a jPOS GenericPackager file)`);
  if (root.isofieldpackager !== undefined) {
    throw new PackagerError(`${source}: <isofieldpackager> (a field with subfields) has no equivalent: describe that field as one value, then split it yourself`);
  }
  const element = (f: Record<string, string>) => `<isofield id="${f.id}" class="${f.class}">`;
  const simple = (cls: string | undefined) => (cls ?? "").split(".").pop()!;
  let mti: DialectTable["mti"] | undefined;
  let bitmap: DialectTable["bitmap"]["encoding"] | undefined;
  const fields: FieldTable[] = [];
  for (const f of root.isofield) {
    const id = Number(f.id);
    const cls = simple(f.class);
    if (!Number.isInteger(id) || id < 0 || id > 128) throw new PackagerError(`${source}: ${element(f)}: id must be 0-128`);
    if (id === 0) {
      mti = MTI_CLASSES[cls];
      if (mti === undefined) throw new PackagerError(`${source}: ${element(f)}: the MTI must be IFA_NUMERIC or IFB_NUMERIC of length 4`);
      continue;
    }
    if (id === 1) {
      bitmap = BITMAP_CLASSES[cls];
      if (bitmap === undefined) throw new PackagerError(`${source}: ${element(f)}: the bitmap must be IFA_BITMAP or IFB_BITMAP`);
      continue;
    }
    const shape = CLASSES[cls];
    if (shape === undefined) {
      const why =
        cls.startsWith("IFE_") || cls.startsWith("IFEB_")
          ? "EBCDIC is not a data encoding isoconf has"
          : cls === "IFA_LLBINARY" || cls === "IFA_LLLBINARY"
            ? "its length prefix counts the bytes of the hex text it carries, which no isoconf field does"
            : "a class isoconf cannot map";
      throw new PackagerError(`${source}: ${element(f)}: ${why} (it maps ${Object.keys(CLASSES).join(", ")})`);
    }
    const length = Number(f.length);
    if (!Number.isInteger(length) || length < 1) throw new PackagerError(`${source}: ${element(f)}: length must be a whole number above 0, got ${JSON.stringify(f.length)}`);
    const { numeric, ...record } = shape;
    // IFA_BINARY's length counts bytes; on the wire each is two hex characters, which the table counts.
    const max = cls === "IFA_BINARY" ? 2 * length : length;
    const field: FieldTable = { number: id, ...(f.name ? { description: f.name } : {}), ...record, max_length: max };
    if (numeric && TRACKS.has(id)) field.content = "z";
    // GenericPackager's `pad`: true is jPOS's LEFT_PADDED (a right-aligned value), else RIGHT_PADDED.
    if (record.data_encoding === "bcd" && f.pad === "true") field.pad = { side: "left", char: "0" };
    fields.push(field);
  }
  if (mti === undefined) throw new PackagerError(`${source}: no <isofield id="0">: the MTI's class says how it is encoded`);
  if (bitmap === undefined) throw new PackagerError(`${source}: no <isofield id="1">: the bitmap's class says how it is encoded`);
  const table: DialectTable = {
    table_format: "iso8583-dialect-table/1",
    dialect: name,
    title: `imported from ${source}`,
    source: `jPOS GenericPackager ${source}`,
    header: null,
    mti,
    bitmap: { encoding: bitmap, secondary_bitmap: fields.some((f) => f.number > 64) },
    iso_version: 1987,
    undefined_fields: [],
    notes: ["framing, mac and transactions are not in a packager: set them for your SUT (isoconf dialects cup shows each)"],
    framing: "binary2",
    mac: null,
    response_codes: "iso87_cup",
    fields: fields.sort((a, b) => a.number - b.number),
  };
  try {
    loadDialect(table, source);
  } catch (e) {
    // The mapping made a record the codec refuses (a length a prefix cannot hold, say): the packager's own inconsistency.
    if (e instanceof DialectError) throw new PackagerError(`${source}: the imported table does not hold: ${e.message}`);
    throw e;
  }
  return table;
}
