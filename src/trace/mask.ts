import type { Message } from "../iso8583/message.js";
import { decodeTlv, type TlvItem } from "../iso8583/tlv.js";

/**
 * Card data masking, as data: which fields carry what, and how each kind is masked. Every output
 * (traces, reports, the decode command) goes through `maskMessage` unless the user turns masking
 * off. MACs stay visible: they are what a tester compares.
 */
export type MaskKind = "pan" | "track" | "secret" | "emv";

export interface MaskRule {
  field: string;
  kind: MaskKind;
  /** Only in messages whose MTI matches (field 62 holds working keys only in sign-on replies). */
  mti?: RegExp;
}

export const MASK_RULES: readonly MaskRule[] = [
  { field: "2", kind: "pan" },
  { field: "34", kind: "pan" }, // extended PAN
  { field: "35", kind: "track" },
  { field: "36", kind: "track" },
  { field: "45", kind: "track" },
  { field: "52", kind: "secret" }, // PIN block
  { field: "55", kind: "emv" },
  { field: "62", kind: "secret", mti: /^08[13]0$/ }, // CUP working keys in sign-on replies
  { field: "96", kind: "secret" }, // key management data (iso87)
];

/** EMV tags that carry the PAN or track data inside field 55. */
const EMV_SENSITIVE: Readonly<Record<string, MaskKind>> = {
  "5A": "pan",
  "57": "track",
  "56": "track",
  "9F6B": "track",
  "9F1F": "track",
  "5F20": "secret", // cardholder name
};

const stars = (n: number) => "*".repeat(n);

/** First 6 and last 4 digits stay (PCI DSS); anything too short to hide that way is hidden whole. */
export function maskPan(pan: string): string {
  return pan.length < 13 ? stars(pan.length) : pan.slice(0, 6) + stars(pan.length - 10) + pan.slice(-4);
}

/** Track data: the PAN before the separator as a PAN, everything after it hidden. */
export function maskTrack(track: string): string {
  const sep = track.search(/[=D^]/);
  if (sep < 0) return stars(track.length);
  const lead = track[0] === "B" || track[0] === "%" ? 1 : 0; // track 1 format code
  return track.slice(0, lead) + maskPan(track.slice(lead, sep)) + track[sep] + stars(track.length - sep - 1);
}

function berLength(n: number): string {
  const hex = (v: number, bytes: number) => v.toString(16).toUpperCase().padStart(2 * bytes, "0");
  if (n < 0x80) return hex(n, 1);
  const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
  return hex(0x80 + bytes, 1) + hex(n, bytes);
}

function maskTlvItems(items: TlvItem[]): string {
  return items
    .map((it) => {
      const kind = EMV_SENSITIVE[it.tag];
      const value = it.children ? maskTlvItems(it.children) : kind ? stars(it.value.length) : it.value;
      return it.tag + berLength(it.length) + value;
    })
    .join("");
}

/** Field 55: sensitive tags hidden; a value that is not valid BER-TLV is hidden whole. */
export function maskEmv(hex: string): string {
  // Masked already (a masked trace read back, as `isoconf merge` does): kept as it is when it is
  // exactly what masking makes, stars over the sensitive tags' values; else hidden whole.
  if (hex.includes("*")) return maskEmv(hex.replace(/\*/g, "0")) === hex ? hex : stars(hex.length);
  let items: TlvItem[];
  try {
    items = decodeTlv(Buffer.from(hex, "hex"));
  } catch {
    return stars(hex.length);
  }
  const sensitive = (list: TlvItem[]): boolean => list.some((i) => i.tag in EMV_SENSITIVE || (i.children && sensitive(i.children)));
  return sensitive(items) ? maskTlvItems(items) : hex;
}

const MASKERS: Record<MaskKind, (v: string) => string> = { pan: maskPan, track: maskTrack, secret: (v) => stars(v.length), emv: maskEmv };

/** A copy of `m` with card data masked; `m` itself is left as it is. */
export function maskMessage(m: Message): Message {
  let fields = m.fields;
  for (const rule of MASK_RULES) {
    const v = m.fields[rule.field];
    if (v === undefined || (rule.mti && !rule.mti.test(m.mti))) continue;
    if (fields === m.fields) fields = { ...m.fields };
    fields[rule.field] = MASKERS[rule.kind](v);
  }
  return fields === m.fields ? m : { ...m, fields };
}
