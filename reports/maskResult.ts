import type { Dialect } from "../src/iso8583/dialect.js";
import type { Violation } from "../src/runner/property.js";
import { type Counterexample, counterexampleOf, type FoundResult, isFound, type PropertyResult, type SuiteResult } from "../src/runner/suiteResult.js";
import { cardPan } from "../src/scenario/scenario.js";
import { maskPan, maskTrack } from "../src/trace/mask.js";
import { maskTraceEvent } from "../src/trace/maskTraceEvent.js";
import { decodeErrorOf, detailOf, messageOf, type TraceEvent } from "../src/trace/traceEvent.js";

/**
 * A copy of `result` with card data masked, made once before any report is written, so no
 * format can forget it: trace events by `maskTraceEvent` (messages and bytes), and free text
 * (violations, reasons, event text and details) by `maskCardNumbers`, since a property of the
 * user's own may quote field 2 in a sentence.
 */
export function maskSuiteResult(result: SuiteResult, dialect: Dialect): SuiteResult {
  return { ...result, properties: result.properties.map((p) => maskProperty(p, dialect)) };
}

function maskProperty(p: PropertyResult, dialect: Dialect): PropertyResult {
  const cx = counterexampleOf(p);
  const pans = cx ? cardNumbersIn(cx) : [];
  const text = (s: string) => maskCardNumbers(s, pans);
  if (!isFound(p)) return p.verdict === "skipped" ? { ...p, reason: text(p.reason) } : p;
  const out: FoundResult = p.reason !== undefined ? { ...p, reason: text(p.reason) } : { ...p };
  if (cx) {
    out.counterexample = {
      ...cx,
      trace: cx.trace.map((e) => maskEventText(maskTraceEvent(e, dialect), text)),
      violations: cx.violations.map((v): Violation => ({ ...v, message: text(v.message), expected: text(v.expected), actual: text(v.actual) })),
    };
  }
  return out;
}

function maskEventText(e: TraceEvent, text: (s: string) => string): TraceEvent {
  const out: Record<string, unknown> = { ...e };
  if (e.text !== undefined) out.text = text(e.text);
  const detail = detailOf(e);
  if (detail !== undefined) out.detail = maskDeep(detail, text);
  const failure = decodeErrorOf(e);
  if (failure !== undefined) out.decodeError = { ...failure, reason: text(failure.reason) };
  // The same event with its strings masked: every key keeps its kind's shape.
  return out as TraceEvent;
}

function maskDeep(v: unknown, text: (s: string) => string): unknown {
  if (typeof v === "string") return text(v);
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, text));
  if (typeof v === "object" && v !== null) {
    // defineProperty, not assignment: a key named __proto__ stays a key.
    const out = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: maskDeep(x, text), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const PAN_FIELDS = ["2", "34"];
const TRACK_FIELDS = ["35", "36", "45"];

/** The card numbers this counterexample carried (scenario cards, PAN and track fields), in clear. */
function cardNumbersIn(cx: Counterexample): string[] {
  const pans = new Set<string>();
  // A card of the card file is named by its place there; its number is in the trace's fields below.
  for (const st of cx.scenario.steps) if (st.card && !("file" in st.card)) pans.add(cardPan(st.card));
  for (const e of cx.trace) {
    const f = messageOf(e)?.fields;
    if (!f) continue;
    for (const k of PAN_FIELDS) if (f[k]) pans.add(f[k]);
    for (const k of TRACK_FIELDS) {
      const m = f[k] && /^[B%]?(\d{12,19})[=D^]/.exec(f[k]);
      if (m) pans.add(m[1]);
    }
  }
  return [...pans].filter((p) => /^\d{12,19}$/.test(p));
}

/**
 * `text` with card numbers masked as `maskPan` does, and track data after them hidden: every
 * number in `known` (the run's own cards, Luhn-valid or not: test cards often are not), and any
 * other Luhn-valid run of 13 to 19 digits. Luhn keeps merchant IDs and totals readable.
 */
export function maskCardNumbers(text: string, known: readonly string[] = []): string {
  const knownSet = new Set(known);
  return text.replace(/(?<![0-9])([0-9]{12,19})([=D^][0-9]*)?(?![0-9])/g, (all, pan: string, track: string | undefined) => {
    if (!knownSet.has(pan) && !(pan.length >= 13 && luhnValid(pan))) return all;
    return track ? maskTrack(all) : maskPan(pan);
  });
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
