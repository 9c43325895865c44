import { builtinDialect } from "../../../src/iso8583/builtinDialects.js";
import { Iso8583Error } from "../../../src/iso8583/errors.js";
import type { Message } from "../../../src/iso8583/message.js";
import { pack } from "../../../src/iso8583/pack.js";
import { unpack } from "../../../src/iso8583/unpack.js";
import type { SuiteResult } from "../../../src/runner/suiteResult.js";
import type { HostScenario } from "../../../src/scenario/scenario.js";
import type { TraceEvent, UnstampedEvent } from "../../../src/trace/traceEvent.js";
import type { RunSettings } from "../../../reports/report.js";

/**
 * A fixed run for the report tests, by hand: one property of each verdict, and a counterexample
 * whose trace is hostile to every format (`<`, `&`, `]]>`, a control byte, `#`, `|`, a
 * backtick, a lone surrogate, U+FFFE) and carries a card number in field 2 and track 2 (field
 * 35), in the decoded messages, in the frame bytes and in free text. Frames are packed under
 * `cup` (BCD, so the PAN reads as itself in the hex): masking has real bytes to work on.
 */
export const cup = builtinDialect("cup");

export const PAN = "6225880012345678";
export const TRACK2 = `${PAN}D2512101`;
/** Text that breaks each format if it goes in unescaped. */
export const HOSTILE = "<b>&amp; ]]> \u0001 # | `tick`";

const base = { "3": "000000", "4": "000000000500", "41": "TERM0001", "42": "123456789012345" };
const purchase: Message = { mti: "0200", fields: { ...base, "2": PAN, "11": "000002", "22": "021", "25": "00", "35": TRACK2, "49": "156", "64": "4233413039324145" } };
const approval: Message = { mti: "0210", fields: { ...base, "2": PAN, "11": "000002", "37": "002693262069", "38": "5883XR", "39": "00", "63": "<&]]>#|`", "64": "3044363733334236" } };
const reversal: Message = { mti: "0400", fields: { ...base, "2": PAN, "11": "000002", "22": "021", "25": "00", "39": "98", "49": "156", "64": "3538344442353943" } };

/** A frame event as the recorder makes it: the bytes, and the message or why it did not decode. */
function frame(dir: TraceEvent["dir"], step: number, m: Message, corrupt?: (b: Buffer) => void): UnstampedEvent {
  const bytes = pack(cup, m);
  corrupt?.(bytes);
  const e = { dir, kind: "frame" as const, step, conn: "c1", bytes: bytes.toString("hex").toUpperCase() };
  try {
    return { ...e, message: unpack(cup, bytes) };
  } catch (error) {
    return { ...e, decodeError: (error as Iso8583Error).toJSON() };
  }
}

/** The 0410 with a control byte (0x01) in field 63, which `ans` forbids: undecodable. */
function undecodableAnswer(): UnstampedEvent {
  const m: Message = { mti: "0410", fields: { ...base, "2": PAN, "11": "000002", "39": "00", "63": "OK#X" } };
  return frame("sut→kit", 0, m, (b) => {
    b[b.lastIndexOf(Buffer.from("OK#X")) + 3] = 0x01;
  });
}

const events = (list: Array<UnstampedEvent & { t?: number }>): TraceEvent[] => list.map((e, seq) => ({ seq, t: e.t ?? seq * 12.5, ...e }));

export const scenario: HostScenario = {
  role: "host",
  terminals: ["TERM0001", "T<1>&#|`"],
  steps: [
    { op: "purchase", terminal: 0, amount: 500, card: { bin: "622588", account: 1234567, length: 16, expiry: "2512", swiped: true }, fault: { kind: "drop" } },
    { op: "balance", terminal: 1, fault: { kind: "malformed", variant: "bad_content" } },
  ],
};

export const hostileTrace: TraceEvent[] = events([
  { dir: "kit", kind: "step", step: -1, text: "setup: sign on the terminals the steps use" },
  { dir: "kit", kind: "connect", step: -1, conn: "c1", detail: { peer: "127.0.0.1:5000" } },
  { dir: "kit", kind: "step", step: 0, text: "TERM0001 purchase(5.00)+drop" },
  frame("kit→sut", 0, purchase),
  frame("sut→kit", 0, approval),
  { dir: "kit", kind: "fault", step: 0, detail: { fault: "drop" }, text: "the kit discards the answer, as if it never came" },
  { dir: "kit", kind: "timeout", step: 0, detail: { waitedMs: 30000, stan: "000002", mti: "0200" } },
  frame("kit→sut", 0, reversal),
  undecodableAnswer(),
  { dir: "kit", kind: "note", step: 0, text: `SUT log: ${HOSTILE} card ${PAN} track ${TRACK2} \uD800 \uFFFE end`, detail: { said: `${HOSTILE} ${PAN}` } },
  { dir: "sut→kit", kind: "keepalive", step: 1, conn: "c1" },
  { dir: "sut→kit", kind: "link-error", step: 1, conn: "c1", bytes: "0003AB01FF62258800", detail: { code: "bad_length", reason: "length 3 is below the minimum", fatal: false } },
  { dir: "kit", kind: "disconnect", step: -1, conn: "c1", detail: { reason: "peer closed" } },
]);

const shortTrace = (stan: string): TraceEvent[] =>
  events([
    { dir: "kit", kind: "step", step: 0, text: "TERM0001 echo" },
    frame("kit→sut", 0, { mti: "0820", fields: { "11": stan, "41": "TERM0001", "42": "123456789012345" } }),
    frame("sut→kit", 0, { mti: "0830", fields: { "11": stan, "39": "96", "41": "TERM0001", "42": "123456789012345" } }),
  ]);

const echoScenario: HostScenario = { role: "host", terminals: ["TERM0001"], steps: [{ op: "echo", terminal: 0 }] };

export const suiteResult: SuiteResult = {
  suite: "host",
  dialect: "cup",
  target: `in-process reference host with bug <reversal-ignored> & "quotes"`,
  seed: 42,
  scenarios: 100,
  executions: 520,
  requests: 5137,
  durationMs: 2067,
  interrupted: false,
  requireExercised: 1,
  properties: [
    { id: "H-FMT-1", title: "Responses decode under the dialect", requirement: "Every response MUST decode under the dialect.", reference: "ISO 8583:1987 §4", judges: "frames from the host", verdict: "pass", judged: 412 },
    {
      id: "H-REV-9",
      title: `Reversals <0400> & "answers" # | ]]>`,
      requirement: "A reversal MUST be acknowledged with a decodable 0410 & nothing else.",
      reference: "CUP automatic reversal rules (docs/protocol-notes.md §2.7)",
      judges: "answered reversals",
      verdict: "fail",
      judged: 17,
      foundAfter: 36,
      counterexample: {
        scenario,
        trace: hostileTrace,
        originalSteps: 10,
        shrinkRuns: 55,
        shrinkMs: 157,
        violations: [
          { message: "the reversal of STAN 000002 got an undecodable answer <0410> & ]]>", expected: `a decodable 0410 with field 39 = "00"`, actual: `decode error in field 63: byte \u0001 # | for card ${PAN}`, events: [7, 8] },
          { message: `the host logged the card ${TRACK2} | in clear`, expected: "no card data in logs", actual: `log line ${HOSTILE}`, events: [9] },
          { message: "the link broke framing", expected: "a length header of at least 2", actual: "length 3", events: [11] },
          { message: "a fourth violation, shown only in the full reports", expected: "x", actual: "y", events: [12] },
        ],
      },
    },
    { id: "H-TID-1", title: "Unregistered terminals are refused", requirement: "A request from an unregistered terminal MUST be declined.", reference: "CUP code 97", judges: "requests from unregistered terminals", verdict: "skipped", reason: "not applicable to dialect cup # no TIDs | <here>" },
    {
      id: "H-ECHO-1",
      title: "Responses echo the matching fields",
      requirement: "A response MUST echo fields 3, 11 and 41.",
      reference: "ISO 8583:1987 §4.3",
      judges: "answers",
      verdict: "flaky",
      judged: 380,
      reason: "failed once, then 1 of 2 re-runs",
      foundAfter: 7,
      counterexample: { scenario: echoScenario, trace: shortTrace("000009"), originalSteps: 1, shrinkRuns: 0, shrinkMs: 0, violations: [{ message: "the answer to 0820 STAN 000009 came late", expected: "within 30000 ms", actual: "after 31000 ms", events: [1, 2] }] },
    },
    {
      id: "H-REV-2",
      title: "Reversals of unknown or reversed transactions change nothing",
      requirement: "A reversal of an unknown transaction MUST change nothing.",
      reference: "CUP reversal retries",
      judges: "answered reversals of unknown or reversed transactions",
      verdict: "untested",
      judged: 0,
      reason: "no answered reversals of unknown or reversed transactions in 100 scenarios",
    },
    { id: "H-SET-1", title: "Settlement totals agree", requirement: "Settlement totals MUST agree.", reference: "CUP 0500", judges: "settlements", verdict: "n/a", reason: "the SUT's profile says it has no settlement" },
    {
      id: "H-LIVE-1",
      title: "The host survives malformed frames",
      requirement: "After a malformed frame the host MUST still answer the next valid request.",
      reference: "robustness",
      judges: "valid requests after a malformed frame or a disconnect",
      verdict: "fail",
      judged: 9,
      foundAfter: 3,
      counterexample: { scenario: echoScenario, trace: shortTrace("000011"), originalSteps: 4, shrinkRuns: 9, shrinkMs: 12, violations: [{ message: "the echo was declined with 96", expected: "rc 00", actual: "rc 96", events: [2] }] },
    },
  ],
};

/** H-LIVE-1 is waived: the hook for waivers from the config. */
export const waivers = new Map([["H-LIVE-1", "known issue LAB-123 <fixed in 2.1> & tracked"]]);

export const settings = (mask: boolean): RunSettings => ({
  runs: 100,
  responseTimeoutMs: 30000,
  registeredTerminals: ["TERM0001", "TERM0002"],
  target: { kind: "reference", bug: "reversal-ignored" },
  mask,
  startedAt: new Date("2026-01-15T09:30:00.000Z"),
  version: "0.0.0-golden",
  replayDir: "isoconf-report/golden run",
  waivers,
});
