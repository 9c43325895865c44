import type { Dialect } from "../iso8583/dialect.js";
import { packWithMac } from "../iso8583/macMessage.js";
import type { FieldSpan, Message } from "../iso8583/message.js";
import { pack } from "../iso8583/pack.js";
import { unpack } from "../iso8583/unpack.js";
import type { Clock } from "../link/clock.js";
import type { Link } from "../link/link.js";
import { sendInSegments } from "../link/sendInSegments.js";
import { buildResponse, isRequestMti, isReversal, macRequired, networkCodeOf, operationOf, referencedStan, reversedStan, rulesOf } from "../protocol/index.js";
import type { TerminalFault } from "../scenario/scenario.js";
import type { ReferenceHost } from "../sim/host/referenceHost.js";
import type { FaultDetail } from "../trace/traceEvent.js";
import type { TraceRecorder } from "../trace/traceRecorder.js";
import { lateAnswerMs, splitPauseMs } from "../protocol/answerTiming.js";
import { malformed } from "./malformed.js";

export interface AnsweringHostOptions {
  dialect: Dialect;
  clock: Clock;
  recorder: TraceRecorder;
  /** The terminal's response timeout: a `late` answer comes after it. */
  responseTimeoutMs: number;
  /** Decides every answer as a correct host would; the faults go on top. */
  host: ReferenceHost;
  /** The fault for a request that is not a reversal: its step's, when it is the step's own request. */
  faultOf(request: Message): TerminalFault | undefined;
}

/** A purchase the kit approved with a valid answer: what a void or refund step refers to. */
export interface Sale {
  stan: string;
  amount: number;
}

/** The echoed field each wrong-echo fault alters, and how. */
const MISECHO: Record<"wrong_stan" | "wrong_tid" | "wrong_amount", { field: string; alter(v: string): string }> = {
  wrong_stan: { field: "11", alter: (v) => String((Number(v) % 999_999) + 1).padStart(6, "0") },
  wrong_tid: { field: "41", alter: (v) => v.slice(0, -1) + (v.endsWith("9") ? "8" : "9") },
  wrong_amount: { field: "4", alter: (v) => String(Number(v) + 100).padStart(v.length, "0") },
};

/**
 * The kit's side of a terminal's connections: answers each request as the reference host
 * decides, except where the scenario injects a fault into the answer to a step's own request
 * (`faultOf`) or to the reversals that request leads to. Every fault is recorded, naming the
 * connection, MTI and STAN it hit, just before the answer it spoils.
 */
export class AnsweringHost {
  private readonly d: Dialect;
  private readonly host: ReferenceHost;
  /** The requests whose answer the terminal got as sent (`book`): a sign-on not among them leaves its keys unchanged. */
  private readonly taken = new WeakSet<Message>();
  /** Answers still to drop for reversals of a request, by `TID|STAN` of the request. */
  private readonly reversalDrops = new Map<string, number>();
  /** Late answers not sent yet. */
  private readonly held = new Set<() => void>();
  /** Answers being written in segments. */
  private readonly writing = new Set<Promise<unknown>>();
  private sales: Sale[] = [];

  constructor(private readonly o: AnsweringHostOptions) {
    this.d = o.dialect;
    this.host = o.host;
  }

  /** The last purchase the kit approved that still stands: a void or refund step refers to it. */
  lastSale(): Sale | undefined {
    return this.sales.at(-1);
  }

  /** Answers one request at a time until the connection closes. */
  async serve(link: Link): Promise<void> {
    for (;;) {
      // A connection lasts as long as the terminal (or a fault, or the scenario's end) keeps it.
      const got = await link.receive({ deadlineMs: Infinity });
      if (got.kind !== "frame") return;
      await this.answer(link, got.body);
    }
  }

  /** Drops the late answers not sent yet: the scenario is over. */
  cancelLate(): void {
    for (const cancel of this.held) cancel();
    this.held.clear();
  }

  /**
   * Resolves once every answer begun in segments is written whole (a few pauses at most): the
   * trace then shows it even where the terminal gave up on it and went on at once.
   */
  async finishWriting(): Promise<void> {
    await Promise.all([...this.writing]);
  }

  private async answer(link: Link, body: Buffer): Promise<void> {
    // The trace's decoding of the frame, where the recorder took it: one decoding of each request.
    const request = this.o.recorder.decodedFrame(this.d, body);
    if (request !== undefined && !isRequestMti(request.mti)) return;
    const fault = request === undefined ? undefined : this.faultFor(request);
    if (fault?.kind === "code") {
      const reply = this.decline(request!, fault.code);
      this.o.recorder.fault({ ...this.about(link, request!, fault), code: fault.code }, `declined with ${fault.code}`);
      return this.send(link, request!, reply, true);
    }
    // A sign-on hands out new keys; one whose answer the terminal never takes leaves it on its old ones.
    const tid = request?.fields["41"];
    const keys = fault !== undefined && tid !== undefined && this.opOf(request!) === "signon" ? this.host.workingKeysOf(tid) : undefined;
    // The reference host decides; an undecodable request gets its format error (30), if any answer.
    const turn = this.host.handle(body);
    if (turn.reply === undefined) return;
    const reply = { message: turn.reply.message, frame: turn.reply.frame };
    if (fault === undefined || request === undefined) return this.send(link, request, reply, true);
    await this.inject(link, request, reply, fault);
    // So the host MACs what follows under the keys the terminal holds: else its next answers fail
    // the terminal's MAC check, for a reason the properties cannot see in the trace.
    if (keys !== undefined && !this.taken.has(request)) this.host.restoreWorkingKeys(tid!, keys);
  }

  /** Sends the answer to `request` with `fault` applied, after recording the fault. */
  private inject(link: Link, request: Message, reply: Reply, fault: Exclude<AnswerFault, { kind: "code" }>): Promise<void> {
    const spoil = this.spoilers[fault.kind] as (x: Spoiling, f: typeof fault) => Promise<void>;
    return spoil({ link, request, reply, about: this.about(link, request, fault) }, fault);
  }

  /**
   * How each fault spoils the answer the reference host decided, by kind: the compiler holds it
   * to every kind of `TerminalFault` (but `code`, which replaces the host's decision in `answer`).
   */
  private readonly spoilers: { [K in Exclude<AnswerFault["kind"], "code">]: (x: Spoiling, fault: Extract<AnswerFault, { kind: K }>) => Promise<void> } = {
    reversal_drop: async ({ about }, fault) => {
      this.o.recorder.fault(about, `the answer to the reversal of STAN ${about.reverses} is dropped (${fault.left} more to drop)`);
    },
    drop: async ({ about }) => {
      this.o.recorder.fault(about, "no answer");
    },
    late: async ({ link, reply, about }) => {
      const timeout = this.o.responseTimeoutMs;
      const heldMs = lateAnswerMs(timeout);
      this.o.recorder.fault({ ...about, heldMs }, `the answer is held ${heldMs} ms, past the terminal's ${timeout} ms timeout`);
      return this.later(link, reply.frame, heldMs);
    },
    answer_twice: async ({ link, request, reply, about }) => {
      this.o.recorder.fault(about, "the answer is sent twice");
      // In one write, as a host that sends a duplicate at once puts both in one segment.
      const once = link.framing.encode(reply.frame);
      await link.sendRaw(Buffer.concat([once, once])).catch(() => undefined);
      return this.book(request, reply.message);
    },
    wrong_stan: (x, fault) => this.misecho(x, fault.kind),
    wrong_tid: (x, fault) => this.misecho(x, fault.kind),
    wrong_amount: (x, fault) => this.misecho(x, fault.kind),
    wrong_mti: async ({ link, request, reply, about }) => {
      // Another response of the same class: a request's response for an advice's, or the other way (0210 ↔ 0230).
      const was = reply.message.mti;
      const mti = was.slice(0, 2) + (was[2] === "1" ? "3" : "1") + was[3];
      const message: Message = { ...reply.message, mti };
      this.o.recorder.fault({ ...about, answered: mti }, `the answer's MTI is ${mti}, not ${was}`);
      return this.send(link, request, { message, frame: this.frame(request, message, this.hasMac(reply.frame)) }, false);
    },
    bad_mac: async ({ link, request, reply, about }) => {
      if (!this.hasMac(reply.frame)) {
        this.o.recorder.note("bad_mac not applied: the answer carries no MAC");
        return this.send(link, request, reply, true);
      }
      const frame = Buffer.from(reply.frame);
      frame[frame.length - 1] ^= 0x01;
      this.o.recorder.fault(about, "the answer's MAC is corrupted");
      // A bad MAC spoils only an approval (or any answer, where the dialect verifies every one).
      const valid = reply.message.fields["39"] !== rulesOf(this.d).codes.approved && this.d.table.mac?.verify !== "always";
      return this.send(link, request, { message: reply.message, frame }, valid);
    },
    malformed: async ({ link, reply, about }, fault) => {
      this.o.recorder.fault({ ...about, variant: fault.variant }, `a malformed answer (${fault.variant})`);
      await link.send(malformed(reply.frame, fault.variant, this.d.headerBytes)).catch(() => undefined);
    },
    disconnect: async ({ link, reply, about }) => {
      this.o.recorder.fault(about, "half the answer, then the connection dropped");
      const raw = link.framing.encode(reply.frame);
      await link.sendRaw(raw.subarray(0, Math.max(1, raw.length >> 1))).catch(() => undefined);
      await link.close();
    },
    close: async ({ link, about }) => {
      this.o.recorder.fault(about, "the connection closed with no answer, not a byte of one");
      await link.close();
    },
    split: async ({ link, request, reply, about }) => {
      const raw = link.framing.encode(reply.frame);
      // Into the length header, then the middle of the body: a reader must reassemble both.
      const cuts = [2, Math.max(3, raw.length >> 1)];
      const segments = [cuts[0], cuts[1] - cuts[0], raw.length - cuts[1]];
      const pauseMs = splitPauseMs(this.o.responseTimeoutMs);
      this.o.recorder.fault({ ...about, segments, pauseMs }, `the answer in ${segments.length} segments of ${segments.join(", ")} bytes, ${pauseMs} ms apart`);
      const written = sendInSegments(link, raw, cuts, pauseMs).catch(() => undefined);
      this.writing.add(written);
      await written;
      this.writing.delete(written);
      return this.book(request, reply.message);
    },
    truncated_approval: async (x) => this.truncatedApproval(x),
  };

  /**
   * The answer with the approval code, cut just after field 39: the length header says the cut
   * length, so it is framed, but the fields the bitmap still announces (echoes, MAC) are missing.
   */
  private async truncatedApproval({ link, request, reply, about }: Spoiling): Promise<void> {
    const approved = rulesOf(this.d).codes.approved;
    const whole = pack(this.d, { ...reply.message, fields: { ...reply.message.fields, "39": approved } });
    const spans: FieldSpan[] = [];
    unpack(this.d, whole, spans);
    const end = spans.find((span) => span.field === "39")?.end;
    if (end === undefined || end >= whole.length) {
      this.o.recorder.note("truncated_approval not applied: nothing follows field 39 in the answer");
      return this.send(link, request, reply, true);
    }
    this.o.recorder.fault({ ...about, code: approved, bytes: end, of: whole.length }, `the answer carries ${approved} but is cut after field 39: ${end} of its ${whole.length} bytes`);
    await link.send(whole.subarray(0, end)).catch(() => undefined);
  }

  /** The answer with one echoed field altered (its MAC recomputed, so only the echo is wrong). */
  private misecho({ link, request, reply, about }: Spoiling, kind: keyof typeof MISECHO): Promise<void> {
    const { field, alter } = MISECHO[kind];
    const was = reply.message.fields[field];
    if (was === undefined) {
      this.o.recorder.note(`${kind} not applied: the answer carries no field ${field}`);
      return this.send(link, request, reply, true);
    }
    const message: Message = { ...reply.message, fields: { ...reply.message.fields, [field]: alter(was) } };
    this.o.recorder.fault({ ...about, field, echoed: message.fields[field] }, `field ${field} echoed as ${message.fields[field]}, not ${was}`);
    return this.send(link, request, { message, frame: this.frame(request, message, this.hasMac(reply.frame)) }, false);
  }

  /**
   * The fault for a request: a reversal's answer is dropped while its original's fault says so;
   * a step's fault applies to the step's own request, the first of the step's operation.
   */
  private faultFor(request: Message): AnswerFault | undefined {
    const tid = request.fields["41"] ?? "";
    if (isReversal(this.d, request)) {
      const key = `${tid}|${reversedStan(this.d, request)}`;
      const left = this.reversalDrops.get(key) ?? 0;
      if (left === 0) return undefined;
      this.reversalDrops.set(key, left - 1);
      return { kind: "reversal_drop", left: left - 1 };
    }
    const fault = this.o.faultOf(request);
    if (fault !== undefined && "reversalDrops" in fault && fault.reversalDrops) this.reversalDrops.set(`${tid}|${request.fields["11"]}`, fault.reversalDrops);
    return fault;
  }

  private opOf(m: Message): string | undefined {
    return operationOf(this.d, m.mti, m.fields["3"], networkCodeOf(this.d, m));
  }

  /** The fault event's detail: which request it hit, on which connection (`exchanges` pairs by it). */
  private about(link: Link, request: Message, fault: AnswerFault): FaultDetail {
    const out: FaultDetail = { fault: fault.kind === "reversal_drop" ? "drop" : fault.kind, conn: this.o.recorder.connOf(link), mti: request.mti, stan: request.fields["11"] };
    if (isReversal(this.d, request)) out.reverses = reversedStan(this.d, request);
    return out;
  }

  /** A decline built by the kit itself (the reference host never sees the request), MACed like the host's answers. */
  private decline(request: Message, code: string): Reply {
    const message = buildResponse(this.d, request, { code });
    return { message, frame: this.frame(request, message, macRequired(this.d, request)) };
  }

  private frame(request: Message, message: Message, withMac: boolean): Buffer {
    const key = withMac ? this.host.workingKeysOf(request.fields["41"] ?? "")?.mak : undefined;
    return key === undefined ? pack(this.d, message) : packWithMac(this.d, message, key);
  }

  private hasMac(frame: Buffer): boolean {
    const mac = this.d.table.mac;
    if (mac === null) return false;
    try {
      return unpack(this.d, frame).fields[String(mac.field)] !== undefined;
    } catch {
      return false;
    }
  }

  /** Sends an answer; `valid` answers are booked as the terminal will have taken them. */
  private async send(link: Link, request: Message | undefined, reply: Reply, valid: boolean): Promise<void> {
    await link.send(reply.frame).catch(() => undefined);
    if (valid && request !== undefined) this.book(request, reply.message);
  }

  private later(link: Link, frame: Buffer, ms: number): void {
    const cancel = this.o.clock.setTimer(ms, () => {
      this.held.delete(cancel);
      link.send(frame).catch(() => this.o.recorder.note("the late answer was not delivered: the connection had closed"));
    });
    this.held.add(cancel);
  }

  /** Keeps the purchases a void or refund step may refer to, as the terminal knows them. */
  private book(request: Message, answer: Message): void {
    this.taken.add(request);
    if (answer.fields["39"] !== rulesOf(this.d).codes.approved) return;
    const stan = request.fields["11"];
    if (isReversal(this.d, request)) {
      const reversed = reversedStan(this.d, request);
      this.sales = this.sales.filter((s) => s.stan !== reversed);
      return;
    }
    switch (this.opOf(request)) {
      case "purchase":
        if (stan !== undefined) this.sales.push({ stan, amount: Number(request.fields["4"] ?? 0) });
        break;
      case "void": {
        const voided = referencedStan(this.d, request);
        this.sales = this.sales.filter((s) => s.stan !== voided);
        break;
      }
      case "settlement":
        this.sales = [];
        break;
    }
  }
}

interface Reply {
  message: Message;
  frame: Buffer;
}

/** The answer to a reversal dropped, because its original's fault said so; `left` more to drop. */
interface ReversalDrop {
  kind: "reversal_drop";
  left: number;
}

/** What spoils an answer: the step's fault, or its reversal's drop. */
type AnswerFault = TerminalFault | ReversalDrop;

/** An answer about to be spoiled: where it goes, what it answers, and the fault event's detail. */
interface Spoiling {
  link: Link;
  request: Message;
  reply: Reply;
  about: FaultDetail;
}
