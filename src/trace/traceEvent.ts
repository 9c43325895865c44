import { z } from "zod";
import type { Iso8583ErrorKind } from "../iso8583/errors.js";

// A trace event is a union on its `kind`, declared once as the schema a trace file is read with;
// the types are derived from it. Readers narrow on `kind` and get the fields that kind has.

/** Who sent it: the kit to the system under test, the SUT to the kit, or the kit's own note. */
export const DIRECTIONS = ["kit→sut", "sut→kit", "kit"] as const;
export type Direction = (typeof DIRECTIONS)[number];

// Every Iso8583ErrorKind, once: the Record type fails to compile when the codec adds or drops one.
const DECODE_ERROR_KINDS: Record<Iso8583ErrorKind, true> = {
  truncated: true,
  bad_length_prefix: true,
  length_above_max: true,
  bad_content: true,
  bad_pad: true,
  bad_mti: true,
  bad_bitmap: true,
  undefined_field: true,
  trailing_bytes: true,
  bad_header: true,
  bad_value: true,
  bad_message: true,
};

/** Why a frame did not decode: the `Iso8583Error` as data. */
export const decodeFailureSchema = z.strictObject({
  field: z.string(),
  offset: z.number().int().min(0).optional(),
  kind: z.enum(Object.keys(DECODE_ERROR_KINDS) as [Iso8583ErrorKind, ...Iso8583ErrorKind[]]),
  reason: z.string(),
});
export type DecodeFailure = z.infer<typeof decodeFailureSchema>;

const messageSchema = z.strictObject({
  mti: z.string(),
  header: z.string().optional(),
  fields: z.record(z.string().regex(/^[1-9][0-9]{0,2}$/, "expected a field number as the key"), z.string()),
});

/** A frame body (no transport length) as upper-case hex; in a masked trace, `*` replaces the hex of card data. */
const bytes = z.string().regex(/^(?:[0-9A-F*]{2})*$/, "expected upper-case hex, two characters a byte, * where masked");

/**
 * A kit event's detail: an object taken as parsed, not rebuilt (a rebuilt record would drop a key
 * named __proto__), with `keys` of the types given; other keys are the event's parameters.
 */
function detail<T extends object>(keys: Record<string, "string" | "boolean">, optional: readonly string[] = []) {
  const wanted = Object.entries(keys).map(([k, type]) => `${k} (${type}${optional.includes(k) ? ", optional" : ""})`);
  return z.custom<T>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      !Array.isArray(v) &&
      Object.entries(keys).every(([k, type]) => (optional.includes(k) && (v as Record<string, unknown>)[k] === undefined) || typeof (v as Record<string, unknown>)[k] === type),
    `expected an object with ${wanted.join(", ")}`,
  );
}

/** What every event has: its place, its time, its direction, and the step and connection it belongs to. */
const common = {
  /** Position in the trace, from 0. */
  seq: z.number().int().min(0),
  /** Milliseconds since the trace started, on the run's clock (virtual for in-process SUTs). */
  t: z.number(),
  dir: z.enum(DIRECTIONS),
  /** The scenario step the kit was executing, when there is one. */
  step: z.number().int().min(0).optional(),
  /** Connection id (`c1`, …), for frames and connection events. */
  conn: z.string().optional(),
  /** A sentence for people. */
  text: z.string().optional(),
};

/** A framing error on a link: its code (`bad_header`, `partial_frame`, …), why, and whether the link closed on it. */
export interface LinkErrorDetail {
  code: string;
  reason: string;
  fatal: boolean;
  [parameter: string]: unknown;
}

/** A fault the kit applied: its name, and for a fault on an answer, the request it hit (`conn`, `mti`, `stan`). */
export interface FaultDetail {
  fault: string;
  conn?: string;
  mti?: string;
  stan?: string;
  /** The STAN a reversal whose answer the fault spoils reverses. */
  reverses?: string;
  [parameter: string]: unknown;
}

/** What a terminal reported for a control command, as far as its adapter can tell (see `ControlResult`). */
export interface ControlOutcome {
  outcome: "approved" | "declined" | "failed" | "unknown";
  /** The response code the terminal reports, when it does. */
  code?: string;
  /** The STAN of the command's own request, when the terminal reports it. */
  stan?: string;
  /** One line, for the trace and the report. Never card data. */
  message?: string;
}

/** A control-link command to the terminal under test (`command`), or its result (`result`). */
export interface ControlDetail {
  op: string;
  result?: ControlOutcome;
  [parameter: string]: unknown;
}

/**
 * One entry of a trace: every frame both ways, decoded and timed, and the kit's own events.
 * Properties read nothing else, so a trace saved as JSONL can be re-checked offline. Frames
 * both ways; `keepalive` and `link-error` from the framing; the rest are kit events: a
 * connection opened or closed, a fault the kit applied, a wait that ran out, a control-link
 * command and its result, the start of a scenario step, a free-text note.
 */
export const traceEventSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...common, kind: z.literal("frame"), bytes, message: messageSchema.optional(), decodeError: decodeFailureSchema.optional() }),
  z.strictObject({ ...common, kind: z.literal("keepalive") }),
  /** `bytes`: the bytes the error is about. */
  z.strictObject({ ...common, kind: z.literal("link-error"), bytes, detail: detail<LinkErrorDetail>({ code: "string", reason: "string", fatal: "boolean" }) }),
  z.strictObject({ ...common, kind: z.literal("connect"), detail: detail<{ peer: string }>({ peer: "string" }) }),
  z.strictObject({ ...common, kind: z.literal("disconnect"), detail: detail<{ reason: string }>({ reason: "string" }) }),
  z.strictObject({ ...common, kind: z.literal("fault"), detail: detail<FaultDetail>({ fault: "string" }) }),
  /** `detail`: how long the kit waited, and for what. */
  z.strictObject({ ...common, kind: z.literal("timeout"), detail: detail<Record<string, unknown>>({}) }),
  z.strictObject({ ...common, kind: z.literal("control"), detail: detail<ControlDetail>({ op: "string" }) }),
  z.strictObject({ ...common, kind: z.literal("step"), text: z.string() }),
  z.strictObject({ ...common, kind: z.literal("note"), text: z.string(), detail: detail<Record<string, unknown>>({}).optional() }),
]);

export type TraceEvent = z.infer<typeof traceEventSchema>;
export type TraceEventKind = TraceEvent["kind"];
/** The event of one kind: `EventOf<"frame">`. */
export type EventOf<K extends TraceEventKind> = Extract<TraceEvent, { kind: K }>;
export type FrameEvent = EventOf<"frame">;
/** An event before the trace numbers and times it: what a recorder or a test fills in. */
export type UnstampedEvent = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, "seq" | "t"> : never) : never;

export const TRACE_EVENT_KINDS = traceEventSchema.options.map((o) => o.shape.kind.value) as readonly TraceEventKind[];

// For readers that take events of any kind (reports, masking): what a frame carries, if it is one.

/** The decoded message of a frame event; undefined for other events and frames that did not decode. */
export const messageOf = (e: TraceEvent): FrameEvent["message"] => (e.kind === "frame" ? e.message : undefined);

/** Why a frame event did not decode; undefined for other events and frames that did. */
export const decodeErrorOf = (e: TraceEvent): DecodeFailure | undefined => (e.kind === "frame" ? e.decodeError : undefined);

/** A kit event's or link error's detail; undefined for events without one. */
export const detailOf = (e: TraceEvent): Record<string, unknown> | undefined => ("detail" in e ? e.detail : undefined);

/** The bytes of a frame or link error; undefined for other events. */
export const bytesOf = (e: TraceEvent): string | undefined => ("bytes" in e ? e.bytes : undefined);
