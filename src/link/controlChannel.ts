import { checkCount, checkDeadline, deadline } from "./deadline.js";
import { type Closed, EventQueue, type Timeout } from "./eventQueue.js";
import type { DeframeErrorCode, FrameEvent } from "./framing.js";
import type { Link } from "./link.js";
import { LinkError, reasons } from "./linkError.js";
import { ACK, NAK } from "./stxEtx.js";

export interface ControlChannelOptions {
  /** Timeout1: how long to wait for ACK or NAK after a frame is written, on the link's clock. Default 2000 ms. */
  ackTimeoutMs?: number;
  /** Resends after a NAK or a Timeout1 before `send` gives up. Default 3 (ECR17: "up to 3 times"). */
  resends?: number;
}

type Answer = { kind: "ack" | "nak" } | Timeout | Closed;

const DEFAULT_ACK_TIMEOUT_MS = 2_000;
const DEFAULT_RESENDS = 3;
/** Malformed frames the sender can fix by resending; garbage between frames gets no answer. */
const NAK_CODES: ReadonlySet<DeframeErrorCode> = new Set(["bad_lrc", "unterminated"]);
const ACK_BYTE = Buffer.of(ACK);
const NAK_BYTE = Buffer.of(NAK);

/**
 * Stop-and-wait delivery over an `stx-etx` Link (serial port or socket): `send` resolves when
 * the peer ACKs, resending on NAK or Timeout1; frames received with a good LRC are ACKed and
 * delivered, malformed ones NAKed. There are no sequence numbers, so a frame whose ACK was lost
 * is delivered twice: never repeat a financial command blindly on a resend.
 */
export class ControlChannel {
  private readonly inbound: EventQueue<FrameEvent>;
  private readonly ackTimeoutMs: number;
  private readonly resends: number;
  private awaitingAnswer: ((answer: Answer) => void) | undefined;
  /** Sends run one at a time: the protocol has one frame in flight. */
  private sending: Promise<unknown> = Promise.resolve();
  private readonly pump: Promise<void>;

  constructor(
    readonly link: Link,
    options: ControlChannelOptions = {},
  ) {
    if (link.framing.name !== "stx-etx") {
      throw new LinkError("invalid_config", reasons.wrongFraming("ControlChannel", "stx-etx", link.framing.name));
    }
    this.inbound = new EventQueue(link.clock);
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    checkDeadline("ackTimeoutMs", this.ackTimeoutMs);
    this.resends = checkCount("resends", options.resends, DEFAULT_RESENDS);
    this.pump = this.run();
  }

  /**
   * Sends one frame and resolves on ACK. Rejects with `invalid_frame` if `data` contains STX or
   * ETX, `not_acknowledged` after 1 + `resends` attempts, or `closed`.
   */
  send(data: Buffer | string): Promise<void> {
    const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const sent = this.sending.then(() => this.transmit(body));
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  /** The next frame the peer sent (already ACKed), `timeout`, or `closed`. */
  receive(options: { deadlineMs: number }): Promise<FrameEvent | Timeout | Closed> {
    return this.inbound.next(options.deadlineMs);
  }

  /** Closes the underlying link. */
  async close(): Promise<void> {
    await this.link.close();
    await this.pump;
  }

  private async transmit(body: Buffer): Promise<void> {
    const raw = this.link.framing.encode(body);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt <= this.resends; attempt++) {
      const answer = await this.transmitOnce(raw);
      if (answer.kind === "ack") return;
      if (answer.kind === "closed") throw new LinkError("closed", reasons.closed(this.link.id, answer.reason));
      outcomes.push(answer.kind === "nak" ? "NAK" : `no answer in ${this.ackTimeoutMs} ms`);
    }
    throw new LinkError("not_acknowledged", reasons.notAcknowledged(this.resends + 1, outcomes));
  }

  private async transmitOnce(raw: Buffer): Promise<Answer> {
    let settle!: (answer: Answer) => void;
    const answer = new Promise<Answer>((resolve) => (settle = resolve));
    // Listen before writing: a fast peer may answer before the write callback runs.
    this.awaitingAnswer = settle;
    let cancel = () => {};
    try {
      await this.link.sendRaw(raw);
      // Timeout1 runs from when the frame is written, not while it waits for the line.
      cancel = deadline(this.ackTimeoutMs, () => settle({ kind: "timeout" }), this.link.clock);
      return await answer;
    } finally {
      cancel();
      this.awaitingAnswer = undefined;
    }
  }

  private async run(): Promise<void> {
    for await (const event of this.link.events()) {
      switch (event.kind) {
        case "frame":
          await this.answer(ACK_BYTE);
          this.inbound.push(event);
          break;
        case "error":
          if (NAK_CODES.has(event.code)) await this.answer(NAK_BYTE);
          break;
        case "ack":
        case "nak":
          // An answer nobody waits for (late, after a Timeout1) changes nothing.
          this.awaitingAnswer?.({ kind: event.kind });
          break;
      }
    }
    const closed: Closed = { kind: "closed", reason: this.link.closeReason ?? "closed" };
    this.inbound.close(closed.reason);
    this.awaitingAnswer?.(closed);
  }

  private async answer(byte: Buffer): Promise<void> {
    try {
      await this.link.sendRaw(byte);
    } catch {
      // The link is closed or the peer stopped reading; the peer resends, or the link's
      // disconnect ends this loop.
    }
  }
}
