import { readFile, writeFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { z } from "zod";
import type { Dialect } from "../iso8583/dialect.js";
import { maskTraceEvent } from "./maskTraceEvent.js";
import { type TraceEvent, traceEventSchema } from "./traceEvent.js";

/**
 * Trace files: JSON Lines, one header object, then one TraceEvent per line in `seq` order.
 *
 *     {"format":"isoconf-trace/1","dialect":"cup","masked":true,"events":2}
 *     {"seq":0,"t":0,"dir":"kit","kind":"step","step":0,"text":"purchase(5.00)"}
 *     {"seq":1,"t":0.4,"dir":"kit→sut","kind":"frame","step":0,"conn":"c1","bytes":"6000…","message":{…}}
 *
 * The header's `events` count lets a reader tell a file cut at a line boundary from a whole one.
 */
export const TRACE_FORMAT = "isoconf-trace/1";

export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  /** The dialect name the frames decode under. */
  dialect: string;
  /** Whether card data is masked (in `message` and in the `bytes` hex). */
  masked: boolean;
  /** How many event lines follow. */
  events: number;
  /** Wall time of t = 0, ISO 8601, when the writer was told it. */
  startedAt?: string;
  /** The `scenarioDigest` of the scenario the events were recorded from, when the writer was told it. */
  scenario?: string;
}

export interface TraceFile {
  header: TraceHeader;
  events: TraceEvent[];
}

export interface WriteTraceOptions {
  /** The dialect the frames were recorded under: masking re-decodes the bytes with it. */
  dialect: Dialect;
  /** Default true. Turning it off writes card data in clear: an explicit choice. */
  mask?: boolean;
  /** Wall time of t = 0, for the header. */
  startedAt?: Date;
  /** How long one chunk may take to be written (a stream whose reader stalls). Default 30000 ms. */
  deadlineMs?: number;
  /** The digest (`scenarioDigest`) of the scenario the events come from, for the header. */
  scenarioDigest?: string;
}

/** A trace file that cannot be read or written; the message names the line and what was expected. */
export class TraceFileError extends Error {
  override readonly name = "TraceFileError";
}

const DEFAULT_WRITE_DEADLINE_MS = 30_000;
/** Lines are written in chunks of about this many characters: few writes, bounded memory per write. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes a trace as JSONL to a file path (replaced) or to a stream (left open). Masking is on
 * unless `mask: false`: see `maskTraceEvent` for what it hides.
 */
export async function writeTraceJsonl(
  target: string | Writable,
  events: readonly TraceEvent[],
  options: WriteTraceOptions,
): Promise<void> {
  const mask = options.mask ?? true;
  const header: TraceHeader = { format: TRACE_FORMAT, dialect: options.dialect.name, masked: mask, events: events.length };
  if (options.startedAt) header.startedAt = options.startedAt.toISOString();
  if (options.scenarioDigest) header.scenario = options.scenarioDigest;
  const chunks = traceChunks(header, events, mask ? options.dialect : undefined);
  if (typeof target === "string") {
    try {
      await writeFile(target, [...chunks].join(""));
    } catch (error) {
      throw new TraceFileError(`cannot write trace file ${target}: ${(error as Error).message}`, { cause: error });
    }
    return;
  }
  const deadlineMs = options.deadlineMs ?? DEFAULT_WRITE_DEADLINE_MS;
  for (const chunk of chunks) await writeChunk(target, chunk, deadlineMs);
}

/** The file's text in chunks of whole lines; `maskWith` set: masked under that dialect. */
function* traceChunks(header: TraceHeader, events: readonly TraceEvent[], maskWith: Dialect | undefined): Generator<string> {
  let chunk = `${JSON.stringify(header)}\n`;
  for (const event of events) {
    chunk += `${JSON.stringify(maskWith ? maskTraceEvent(event, maskWith) : event)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

/** Resolves once the stream has taken `chunk`; rejects on a stream error or after `deadlineMs`. */
function writeChunk(stream: Writable, chunk: string, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // The stream also emits the error it passes to the callback, maybe after it: take that
    // emit here (a once listener that stays until then), not as an uncaught error.
    const onError = () => {};
    stream.once("error", onError);
    const timer = setTimeout(() => {
      stream.off("error", onError);
      reject(new TraceFileError(`trace output took no data for ${deadlineMs} ms: expected its reader to keep reading`));
    }, deadlineMs);
    stream.write(chunk, (error) => {
      clearTimeout(timer);
      if (error) return reject(new TraceFileError(`cannot write the trace: ${error.message}`, { cause: error }));
      stream.off("error", onError);
      resolve();
    });
  });
}

const headerSchema = z.looseObject({
  format: z.literal(TRACE_FORMAT),
  dialect: z.string().min(1),
  masked: z.boolean(),
  events: z.number().int().min(0),
  startedAt: z.iso.datetime().optional(),
  scenario: z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256: and 64 lower-case hex digits").optional(),
});

/** Reads and validates a trace file. Any problem is a TraceFileError naming the line. */
export async function readTraceJsonl(path: string): Promise<TraceFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TraceFileError(`cannot read trace file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseTraceJsonl(text, path);
}

/** Parses the text of a trace file; `source` names it in errors. */
export function parseTraceJsonl(text: string, source = "trace"): TraceFile {
  const lines = text.split("\n");
  const complete = lines[lines.length - 1] === "";
  if (complete) lines.pop();
  const problem = (line: number, text: string) => new TraceFileError(`${source} line ${line}: ${text}`);
  const parseLine = (index: number, what: string): unknown => {
    const line = lines[index].endsWith("\r") ? lines[index].slice(0, -1) : lines[index];
    if (line.trim() === "") throw problem(index + 1, `empty line: expected ${what}, one JSON object per line`);
    try {
      return JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1 && !complete) {
        throw problem(index + 1, `the file ends inside this line (truncated?): expected ${what} and a newline`);
      }
      throw problem(index + 1, `not JSON (${(error as Error).message}): expected ${what}`);
    }
  };

  if (lines.length === 0) throw new TraceFileError(`${source}: empty file: expected a header line {"format":"${TRACE_FORMAT}",…}`);
  const rawHeader = parseLine(0, `the header {"format":"${TRACE_FORMAT}",…}`);
  const format = (rawHeader as { format?: unknown } | null)?.format;
  if (format !== TRACE_FORMAT) {
    throw problem(1, `format is ${JSON.stringify(format)}: expected "${TRACE_FORMAT}" (is this an isoconf trace file?)`);
  }
  const header = headerSchema.safeParse(rawHeader);
  if (!header.success) throw problem(1, describeIssues(header.error.issues));

  const events: TraceEvent[] = [];
  for (let index = 1; index < lines.length; index++) {
    const parsed = traceEventSchema.safeParse(parseLine(index, "a trace event object"));
    if (!parsed.success) throw problem(index + 1, describeIssues(parsed.error.issues));
    const event = parsed.data;
    if (event.seq !== events.length) throw problem(index + 1, `seq is ${event.seq}: expected ${events.length} (events in order from 0)`);
    events.push(event);
  }
  const announced = header.data.events;
  if (announced !== events.length) {
    throw new TraceFileError(
      `${source}: the header announces ${announced} events and the file has ${events.length}: expected all of them (truncated?)`,
    );
  }
  return { header: header.data as TraceHeader, events };
}

/** Zod issues as `path: what was expected`, joined; a bad record key says what a key must be. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join(".") : "(the object)";
      const what = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join(", ") : issue.message;
      return `${where}: ${what}`;
    })
    .join("; ");
}
