/**
 * BER-TLV as EMV uses it in field 55 (EMV Book 3 Annex B): multi-byte tags, short and long
 * (0x81-0x83) lengths, and constructed tags (bit 0x20 of the first tag byte) decoded recursively.
 */

/** One decoded data object. Hex is upper case. */
export interface TlvItem {
  /** The tag bytes as hex, e.g. "9F26". */
  tag: string;
  /** The value length in bytes. */
  length: number;
  /** The value bytes as hex; for a constructed tag, the encoded children. */
  value: string;
  /** The decoded contents of a constructed tag. */
  children?: TlvItem[];
}

/**
 * What `encodeTlv` takes: a primitive tag needs `value`, a constructed tag needs `children`.
 * `length` and a constructed tag's `value` are optional, but must match the content when given,
 * so every `TlvItem` that `decodeTlv` returns can be encoded again unchanged.
 */
export interface TlvInput {
  tag: string;
  length?: number;
  value?: string;
  children?: readonly TlvInput[];
}

/** What went wrong, as a stable code that tests and reports match on. */
export type TlvErrorKind =
  | "truncated_tag"
  | "truncated_length"
  | "indefinite_length"
  | "length_of_length"
  | "truncated_value"
  | "too_deep"
  | "bad_item";

/** Deep enough for any EMV template, and keeps hostile input from exhausting the stack. */
const MAX_DEPTH = 32;

/** The reason texts, in one place. They never carry tags or data. */
const reasons: Record<TlvErrorKind, string> = {
  truncated_tag: "tag runs past the end of the data",
  truncated_length: "length runs past the end of the data",
  indefinite_length: "indefinite length (0x80) is not allowed",
  length_of_length: "length-of-length is over 3 bytes",
  truncated_value: "value runs past the end of the data",
  too_deep: `constructed tags nest deeper than ${MAX_DEPTH} levels`,
  bad_item: "item is not valid",
};

/**
 * Every decode and encode failure. `offset` is the byte position of the problem in the input
 * (decode), or of the top-level item that holds the bad one in the output (encode).
 */
export class TlvError extends Error {
  override readonly name = "TlvError";

  constructor(
    readonly kind: TlvErrorKind,
    readonly offset: number,
    readonly reason: string = reasons[kind],
  ) {
    super(`${reason}: pos ${offset}`);
  }
}

const CONSTRUCTED = 0x20;
const TAG_NUMBER_MASK = 0x1f;
const MORE_TAG_BYTES = 0x80;
const LONG_FORM = 0x80;
const MAX_LENGTH_BYTES = 3;

/** The end of the tag that starts at `at`, or a TlvError if it is cut short. */
function tagEnd(bytes: Uint8Array, at: number, end: number): number {
  if (at >= end) throw new TlvError("truncated_tag", at);
  let i = at + 1;
  if ((bytes[at] & TAG_NUMBER_MASK) === TAG_NUMBER_MASK) {
    // Subsequent bytes continue while bit 8 is set; the last one has it clear.
    do {
      if (i >= end) throw new TlvError("truncated_tag", at);
    } while (bytes[i++] & MORE_TAG_BYTES);
  }
  return i;
}

/** Whether `tag` holds one whole BER tag and nothing after it. */
function isOneTag(tag: Buffer): boolean {
  try {
    return tagEnd(tag, 0, tag.length) === tag.length;
  } catch {
    return false;
  }
}

function decodeItems(bytes: Buffer, start: number, end: number, depth: number): TlvItem[] {
  if (depth > MAX_DEPTH) throw new TlvError("too_deep", start);
  const items: TlvItem[] = [];
  let at = start;
  while (at < end) {
    const afterTag = tagEnd(bytes, at, end);
    const tag = bytes.toString("hex", at, afterTag).toUpperCase();
    let i = afterTag;
    if (i >= end) throw new TlvError("truncated_length", i);
    const first = bytes[i++];
    let length = first;
    if (first & LONG_FORM) {
      const count = first & ~LONG_FORM;
      if (count === 0) throw new TlvError("indefinite_length", i - 1);
      if (count > MAX_LENGTH_BYTES) throw new TlvError("length_of_length", i - 1);
      if (i + count > end) throw new TlvError("truncated_length", i - 1);
      length = bytes.readUIntBE(i, count);
      i += count;
    }
    if (i + length > end) throw new TlvError("truncated_value", i);
    const item: TlvItem = { tag, length, value: bytes.toString("hex", i, i + length).toUpperCase() };
    if (bytes[at] & CONSTRUCTED) item.children = decodeItems(bytes, i, i + length, depth + 1);
    items.push(item);
    at = i + length;
  }
  return items;
}

/**
 * Decodes a sequence of BER-TLV data objects, such as the content of field 55. Strict: a cut
 * tag, length or value, an indefinite length, or a length-of-length over 3 is a TlvError, and so
 * is anything unparseable inside a constructed tag. Any other input never throws.
 * Lengths in a longer form than needed (0x81 0x05) are accepted; `encodeTlv` writes the shortest.
 */
export function decodeTlv(bytes: Buffer): TlvItem[] {
  return decodeItems(bytes, 0, bytes.length, 0);
}

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

function lengthBytes(length: number): Buffer {
  if (length < LONG_FORM) return Buffer.of(length);
  const count = length <= 0xff ? 1 : length <= 0xffff ? 2 : 3;
  const out = Buffer.alloc(1 + count);
  out[0] = LONG_FORM | count;
  out.writeUIntBE(length, 1, count);
  return out;
}

function encodeItems(items: readonly TlvInput[], offset: number, depth: number): Buffer {
  if (depth > MAX_DEPTH) throw new TlvError("too_deep", offset);
  // Nested items report their top-level item's offset: inner lengths are unknown until encoded.
  const nested = depth > 0;
  const parts: Buffer[] = [];
  for (const item of items) {
    const bad = (detail: string): TlvError => new TlvError("bad_item", offset, detail);
    if (typeof item.tag !== "string" || item.tag.length === 0 || !HEX.test(item.tag)) {
      throw bad("tag must be a non-empty even number of hex characters");
    }
    const tag = Buffer.from(item.tag, "hex");
    if (!isOneTag(tag)) throw bad("tag bytes are not exactly one BER tag");
    const constructed = (tag[0] & CONSTRUCTED) !== 0;
    let content: Buffer;
    if (constructed) {
      if (item.children === undefined) throw bad("constructed tag needs children");
      content = encodeItems(item.children, offset, depth + 1);
      if (item.value !== undefined && String(item.value).toUpperCase() !== content.toString("hex").toUpperCase()) {
        throw bad("value does not match the encoded children");
      }
    } else {
      if (item.children !== undefined) throw bad("primitive tag cannot have children");
      if (typeof item.value !== "string" || !HEX.test(item.value)) {
        throw bad("value must be an even number of hex characters");
      }
      content = Buffer.from(item.value, "hex");
    }
    if (item.length !== undefined && item.length !== content.length) throw bad("length does not match the value");
    if (content.length > 0xffffff) throw bad("value is longer than a 3-byte length can say");
    const part = Buffer.concat([tag, lengthBytes(content.length), content]);
    parts.push(part);
    if (!nested) offset += part.length;
  }
  return Buffer.concat(parts);
}

/**
 * Encodes data objects with the shortest length form. A constructed tag's content is its
 * encoded children. Bad input is a TlvError of kind `bad_item`, naming the output offset.
 */
export function encodeTlv(items: readonly TlvInput[]): Buffer {
  return encodeItems(items, 0, 0);
}

/**
 * Every tag, at any depth, mapped to its value hex. The first occurrence of a tag wins, as
 * EMV expects a tag once per template; a constructed tag maps to its whole encoded content.
 */
export function tlvToMap(items: readonly TlvItem[]): Record<string, string> {
  const map: Record<string, string> = {};
  const walk = (list: readonly TlvItem[]): void => {
    for (const item of list) {
      if (!Object.hasOwn(map, item.tag)) map[item.tag] = item.value;
      if (item.children) walk(item.children);
    }
  };
  walk(items);
  return map;
}

/** Display names for the EMV tags common in field 55 and its responses (EMV Book 3 Annex A). */
export const EMV_TAG_NAMES: Readonly<Record<string, string>> = {
  "4F": "Application Identifier (AID) - card",
  "50": "Application Label",
  "57": "Track 2 Equivalent Data",
  "5A": "Application Primary Account Number (PAN)",
  "5F20": "Cardholder Name",
  "5F24": "Application Expiration Date",
  "5F2A": "Transaction Currency Code",
  "5F34": "Application PAN Sequence Number",
  "71": "Issuer Script Template 1",
  "72": "Issuer Script Template 2",
  "82": "Application Interchange Profile",
  "84": "Dedicated File (DF) Name",
  "86": "Issuer Script Command",
  "8A": "Authorisation Response Code",
  "8E": "Cardholder Verification Method (CVM) List",
  "91": "Issuer Authentication Data",
  "95": "Terminal Verification Results",
  "9A": "Transaction Date",
  "9C": "Transaction Type",
  "9F02": "Amount, Authorised (Numeric)",
  "9F03": "Amount, Other (Numeric)",
  "9F06": "Application Identifier (AID) - terminal",
  "9F09": "Application Version Number (terminal)",
  "9F10": "Issuer Application Data",
  "9F18": "Issuer Script Identifier",
  "9F1A": "Terminal Country Code",
  "9F1E": "Interface Device (IFD) Serial Number",
  "9F21": "Transaction Time",
  "9F26": "Application Cryptogram",
  "9F27": "Cryptogram Information Data",
  "9F33": "Terminal Capabilities",
  "9F34": "Cardholder Verification Method (CVM) Results",
  "9F35": "Terminal Type",
  "9F36": "Application Transaction Counter (ATC)",
  "9F37": "Unpredictable Number",
  "9F41": "Transaction Sequence Counter",
};
