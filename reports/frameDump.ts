import type { Dialect } from "../src/iso8583/dialect.js";
import { Iso8583Error } from "../src/iso8583/errors.js";
import type { FieldSpan, Message } from "../src/iso8583/message.js";
import { unpack } from "../src/iso8583/unpack.js";
import { maskMessage } from "../src/trace/mask.js";
import { clearBeforeFailure } from "../src/trace/maskTraceEvent.js";

/** One line of a frame's anatomy: what the bytes at a place are and what they mean. */
export interface FramePart {
  field: string;
  name: string;
  /** ISO format and wire encoding, e.g. `n..19 bcd LL`. */
  format: string;
  offset: number;
  /** The bytes as hex, prefix included; stars where the value is masked card data. */
  raw: string;
  value: string;
}

export interface FrameDump {
  dialect: string;
  message?: Message;
  parts: FramePart[];
  error?: Iso8583Error;
  /** Bytes after the last part that decoded (with an error), as hex; all `*` when masked. */
  rest?: string;
}

const STRUCTURE: Record<string, [string, string]> = {
  h: ["Header", "binary"],
  t: ["Message type indicator", ""],
  p: ["Primary bitmap", ""],
  "1": ["Secondary bitmap", ""],
};

function formatOf(dialect: Dialect, field: string): [string, string] {
  const t = dialect.table;
  if (field === "t") return [STRUCTURE.t[0], `n4 ${t.mti.encoding}`];
  if (field === "p" || field === "1") return [STRUCTURE[field][0], `b64 ${t.bitmap.encoding}`];
  if (field === "h") return [STRUCTURE.h[0], `b${dialect.headerBytes} binary`];
  const f = dialect.fields[Number(field)]!.spec;
  const prefix = f.length_type === "fixed" ? "" : ` ${f.length_type}`;
  return [f.description ?? `Field ${field}`, `${f.iso_format ?? f.content} ${f.data_encoding}${prefix}`];
}

/**
 * Decodes a frame into its parts for people: every part that decoded, even when a later one
 * fails, so a broken frame is still readable. Card data is masked unless `mask` is false; masked,
 * the parts of a broken frame past its bitmap are withheld (see clearBeforeFailure).
 */
export function dumpFrame(dialect: Dialect, frame: Buffer, mask = true): FrameDump {
  const spans: FieldSpan[] = [];
  let message: Message | undefined;
  let error: Iso8583Error | undefined;
  try {
    message = unpack(dialect, frame, spans);
  } catch (e) {
    if (!(e instanceof Iso8583Error)) throw e;
    error = e;
  }
  const decoded = message ?? error!.partial!;
  const shown = mask ? maskMessage(decoded) : decoded;
  // Masked, a frame that does not decode shows only what maskFrameHex leaves clear.
  const clearEnd = mask && error ? clearBeforeFailure(spans) : Infinity;
  const parts = spans.map((s): FramePart => {
    const [name, format] = formatOf(dialect, s.field);
    if (s.start >= clearEnd) return { field: s.field, name, format, offset: s.start, raw: "*".repeat(2 * (s.end - s.start)), value: "(withheld: the frame does not decode)" };
    const value =
      s.field === "h" ? decoded.header! : s.field === "t" ? decoded.mti : s.field === "p" || s.field === "1" ? frame.toString("hex", s.start, s.end).toUpperCase() : shown.fields[s.field];
    const hidden = shown.fields[s.field] !== undefined && shown.fields[s.field] !== decoded.fields[s.field];
    const raw = hidden ? "*".repeat(2 * (s.end - s.start)) : frame.toString("hex", s.start, s.end).toUpperCase();
    return { field: s.field, name, format, offset: s.start, raw, value };
  });
  const end = spans.length > 0 ? spans[spans.length - 1].end : 0;
  const dump: FrameDump = { dialect: dialect.name, parts };
  if (message) dump.message = shown;
  if (error) {
    dump.error = error;
    // Past the failure nothing says where card data lies: masked, only its length shows.
    if (end < frame.length) dump.rest = mask ? "*".repeat(2 * (frame.length - end)) : frame.toString("hex", end).toUpperCase();
  }
  return dump;
}

const RAW_WIDTH = 32;

/** The dump as an aligned text table, then the error (field, offset, reason) if there is one. */
export function renderFrameDump(d: FrameDump, meaning: (field: string, value: string) => string | undefined = () => undefined): string {
  const rows = d.parts.map((p) => {
    const raw = p.raw.length > RAW_WIDTH ? p.raw.slice(0, RAW_WIDTH - 1) + "…" : p.raw;
    const note = meaning(p.field, p.value);
    return [p.field, p.name, p.format, String(p.offset), raw, JSON.stringify(p.value) + (note ? `  ${note}` : "")];
  });
  const header = ["field", "name", "format", "pos", "raw", "value"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 5 ? r[i].length : 0))));
  const line = (r: string[]) => r.map((c, i) => (i < 5 ? c.padEnd(widths[i]) : c)).join("  ").trimEnd();
  const out = [`dialect ${d.dialect}`, line(header), ...rows.map(line)];
  if (d.error) {
    if (d.rest?.startsWith("*")) out.push(`rest of frame: ${d.rest.length / 2} bytes withheld (masked: it may hold card data; --no-mask shows it)`);
    else if (d.rest) out.push(`rest of frame: ${d.rest.length > 64 ? d.rest.slice(0, 63) + "…" : d.rest} (${d.rest.length / 2} bytes)`);
    const e = d.error;
    out.push(`error: field ${e.field}, offset ${e.offset}: ${e.reason}`);
  }
  return out.join("\n");
}
