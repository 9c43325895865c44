import { hexByte, hexBytes } from "./hex.js";

/** A stable code per failure, for callers and reports; the message is for people. */
export type LinkErrorCode =
  | "invalid_config"
  | "invalid_frame"
  | "closed"
  | "send_timeout"
  | "connect_failed"
  | "listen_failed"
  | "not_acknowledged";

/** Every error the link layer throws or rejects with. */
export class LinkError extends Error {
  override readonly name = "LinkError";

  constructor(
    readonly code: LinkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The reason texts, in one place: the link layer's error catalogue. */
export const reasons = {
  // Deframer events
  badHeader: (framing: string, header: Buffer, expects: string) =>
    `length header ${hexBytes(header)} is not ${framing}: expected ${expects}`,
  aboveMaxFrame: (header: Buffer, length: number, maxFrame: number) =>
    `length header ${hexBytes(header)} declares ${length} bytes; expected at most ${maxFrame} (maxFrame)`,
  shortLength: (header: Buffer, length: number, headerBytes: number) =>
    `length header ${hexBytes(header)} declares ${length} including itself; ` +
    `expected at least ${headerBytes} (its own size)`,
  closedMidFrame: () => "connection closed mid-frame",
  readAboveMaxFrame: (length: number, maxFrame: number) =>
    `read of ${length} bytes; expected at most ${maxFrame} (maxFrame)`,
  garbage: () => "expected STX (0x02), ACK (0x06) or NAK (0x15) between frames",
  badLrc: (expected: number, got: number) => `bad LRC: expected ${hexByte(expected)}, got ${hexByte(got)}`,
  stxBeforeEtx: () => "expected ETX (0x03) before the next STX (0x02)",
  noEtx: (maxFrame: number) => `no ETX (0x03) within ${maxFrame} data bytes (maxFrame)`,

  // Configuration
  badMaxFrame: (value: unknown) => `maxFrame must be a positive integer, got ${String(value)}`,
  maxFrameAboveHeader: (framing: string, maxFrame: number, limit: number) =>
    `maxFrame ${maxFrame} is more than a ${framing} header can carry (${limit})`,
  unknownFraming: (name: string, known: readonly string[]) =>
    `unknown framing "${name}": expected one of ${known.join(", ")}`,
  oddHexCount: (bytes: Buffer, value: number) => `length header ${bytes.toString("hex").toUpperCase()} counts ${value} hex characters: not a whole number of bytes`,
  includesHeaderNotApplicable: (framing: string) =>
    `lengthIncludesHeader and lengthCounts apply to length-header framings only, not ${framing}`,
  badDeadline: (what: string, value: unknown) =>
    `${what} must be a number of milliseconds >= 0, got ${String(value)}`,
  badCount: (what: string, value: unknown) => `${what} must be an integer >= 0, got ${String(value)}`,

  // Encoding
  bodyAboveMaxFrame: (framing: string, length: number, maxFrame: number) =>
    `${framing} body is ${length} bytes; expected at most ${maxFrame} (maxFrame)`,
  controlByteInData: (byte: number, index: number) =>
    `stx-etx data must not contain STX (0x02) or ETX (0x03): found ${hexByte(byte)} at byte ${index}`,

  // Links and transports
  badEndpoint: (text: string, expected: string) => `bad endpoint "${text}": ${expected}`,
  closed: (id: string, reason: string) => `link ${id} is closed (${reason})`,
  closedBeforeWritten: (id: string, reason: string) =>
    `link ${id} closed (${reason}) before the bytes were written`,
  sendTimeout: (id: string, ms: number, queued: number) =>
    `send on link ${id} timed out after ${ms} ms with ${queued} bytes still queued: the peer is not reading`,
  connectTimeout: (ms: number) => `timed out after ${ms} ms`,
  connectFailed: (where: string, attempts: number, last: string) =>
    `cannot connect to ${where} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${last}`,
  listenFailed: (where: string, last: string) => `cannot listen on ${where}: ${last}`,
  serialOpenFailed: (path: string, last: string) => `cannot open serial port ${path}: ${last}`,
  notAcknowledged: (attempts: number, outcomes: readonly string[]) =>
    `control frame not acknowledged after ${attempts} attempt${attempts === 1 ? "" : "s"} (${outcomes.join(", ")})`,
  wrongFraming: (what: string, expected: string, got: string) =>
    `${what} needs a link with ${expected} framing, got ${got}`,
} as const;
