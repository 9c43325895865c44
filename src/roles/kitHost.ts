import type { Dialect } from "../iso8583/dialect.js";
import { Iso8583Error } from "../iso8583/errors.js";
import { packWithMac } from "../iso8583/macMessage.js";
import type { Message } from "../iso8583/message.js";
import { pack } from "../iso8583/pack.js";
import { unpack } from "../iso8583/unpack.js";
import type { Clock } from "../link/clock.js";
import type { Link } from "../link/link.js";
import {
  buildResponse,
  isReversal,
  macRequired,
  networkCodeOf,
  operationOf,
  referencedStan,
  reversedStan,
  rulesOf,
} from "../protocol/index.js";
import { isRequestMti } from "../runner/exchanges.js";
import { cardOf, describeStep, type TerminalFault, type TerminalScenario, type TerminalStep } from "../runner/scenario.js";
import type { OpenTerminalTarget } from "../runner/target.js";
import { ReferenceHost } from "../sim/host/referenceHost.js";
import { resultDeadlineMs } from "../sim/terminal/ecrProtocol.js";
import type { TraceRecorder } from "../trace/traceRecorder.js";
import { lateAnswerMs } from "./answerTiming.js";
import { malformed } from "./malformed.js";
import { commandText, describeCommand, type ControlResult, type TerminalCommand, type TerminalControl } from "./terminalControl.js";

/** What the kit needs to play the host of one terminal under test. */
export interface KitHostOptions {
  dialect: Dialect;
  clock: Clock;
  recorder: TraceRecorder;
  /** The terminal, opened for this scenario: its connections to the kit, and its control. */
  terminal: OpenTerminalTarget;
  /** The terminal's response timeout: a `late` answer comes after it. */
  responseTimeoutMs: number;
  /** The terminal's reversal attempts: with the timeout, how long a command may take. */
  reversalAttempts: number;
  /** The terminal as the answering host registers it. */
  tid: string;
  merchant: string;
  tmk: Buffer;
  /** Wall time at clock zero, for the host's date and time fields. */
  epoch: Date;
  /** Passive control: how long the terminal may take to send its next request. Default 10 minutes. */
  idleMs?: number;
}

/** A purchase the kit approved with a valid answer: what a void or refund step refers to. */
interface Sale {
  stan: string;
  amount: number;
}

/** The step whose request the kit is waiting for, and whether that request has come. */
interface StepInProgress {
  index: number;
  step: TerminalStep;
  taken: boolean;
}

const DEFAULT_IDLE_MS = 10 * 60_000;
/** How long a restart may take: a real terminal boots in well under a minute. */
const RESTART_DEADLINE_MS = 120_000;
/** Echo tests keep a line alive; a passive terminal's steps are its transactions. */
const ECHO = "echo";

/** The echoed field each wrong-echo fault alters, and how. */
const MISECHO: Record<"wrong_stan" | "wrong_tid" | "wrong_amount", { field: string; alter(v: string): string }> = {
  wrong_stan: { field: "11", alter: (v) => String((Number(v) % 999_999) + 1).padStart(6, "0") },
  wrong_tid: { field: "41", alter: (v) => v.slice(0, -1) + (v.endsWith("9") ? "8" : "9") },
  wrong_amount: { field: "4", alter: (v) => String(Number(v) + 100).padStart(v.length, "0") },
};

/**
 * Plays the host of a terminal under test: serves every connection the terminal opens (or the
 * kit opens to it), and answers each request as a correct host would, by asking a reference
 * host, except where the scenario injects a fault into the answer to a step's own request or
 * to its reversal. Meanwhile it has the terminal carry out the steps through the control
 * adapter: a sign-on and a settlement first, then one command per step. It records; it never
 * judges.
 */
export class KitHost {
  private readonly d: Dialect;
  private readonly host: ReferenceHost;
  private current: StepInProgress | undefined;
  /** Answers still to drop for reversals of a request, by `TID|STAN` of the request. */
  private readonly reversalDrops = new Map<string, number>();
  /** Late answers not sent yet. */
  private readonly held = new Set<() => void>();
  private readonly serving = new Set<Promise<void>>();
  private accepting: Promise<void> = Promise.resolve();
  private sales: Sale[] = [];
  /** Passive control: the next step a request takes, and who waits for it. */
  private passiveNext = 0;
  private stepTaken: (() => void) | undefined;

  constructor(
    private readonly scenario: TerminalScenario,
    private readonly o: KitHostOptions,
  ) {
    this.d = o.dialect;
    this.host = new ReferenceHost(o.dialect, {
      clock: o.clock,
      epoch: o.epoch,
      terminals: [{ tid: o.tid, mid: o.merchant, tmk: o.tmk.toString("hex").toUpperCase() }],
    });
  }

  /** Runs the scenario; connections stay served until the target closes (then await `stopped`). */
  async run(): Promise<void> {
    this.accepting = this.acceptLinks();
    const control = this.o.terminal.control;
    try {
      if (control.drives) await this.drive(control);
      else await this.follow();
    } finally {
      this.current = undefined;
      for (const cancel of this.held) cancel();
      this.held.clear();
    }
  }

  /** Resolves once the target has closed and every connection has been served out. */
  async stopped(): Promise<void> {
    await this.accepting;
    await Promise.all([...this.serving]);
  }

  /**
   * Has the terminal sign on and settle first, so the scenario's transactions make a batch of
   * their own (a real terminal keeps its batch from the scenario before), then carry out each step.
   */
  private async drive(control: TerminalControl): Promise<void> {
    const rec = this.o.recorder;
    rec.step(-1, "setup: sign the terminal on and settle its open batch");
    await this.perform(control, { op: "signon" });
    await this.perform(control, { op: "settlement" });
    for (const [index, step] of this.scenario.steps.entries()) {
      rec.step(index, describeStep(this.scenario, step));
      this.current = { index, step, taken: false };
      await this.carryOut(control, step);
    }
    this.current = undefined;
    rec.step(-1, "teardown");
  }

  /**
   * Passive control: the terminal acts on its own. Step i is how the kit answers its i-th
   * transaction request (reversals and echo tests aside); the run ends when every step has had
   * its request, or when the terminal falls silent.
   */
  private async follow(): Promise<void> {
    const idleMs = this.o.idleMs ?? DEFAULT_IDLE_MS;
    const rec = this.o.recorder;
    rec.step(-1, "setup: waiting for the terminal's requests");
    while (this.passiveNext < this.scenario.steps.length) {
      const before = this.passiveNext;
      const taken = await new Promise<boolean>((resolve) => {
        const cancel = this.o.clock.setTimer(idleMs, () => resolve(false));
        this.stepTaken = () => {
          cancel();
          resolve(true);
        };
      });
      this.stepTaken = undefined;
      if (!taken && this.passiveNext === before) {
        rec.timeout({ waitedMs: idleMs, step: before }, `the terminal sent no request for step ${before} within ${idleMs} ms`);
        break;
      }
    }
    this.current = undefined;
    rec.step(-1, "teardown");
  }

  private async carryOut(control: TerminalControl, step: TerminalStep): Promise<void> {
    const rec = this.o.recorder;
    if (step.op === "restart") {
      if (!control.canRestart) {
        rec.note(`restart skipped: the ${control.description} control cannot restart the terminal`);
        return;
      }
      rec.control({ op: "restart" }, "restart the terminal");
      try {
        await control.restart({ deadlineMs: RESTART_DEADLINE_MS });
        rec.control({ op: "restart", result: { outcome: "approved", message: "restarted" } }, "restarted");
      } catch (e) {
        rec.control({ op: "restart", result: { outcome: "failed", message: (e as Error).message } }, `restart failed: ${(e as Error).message}`);
      }
      return;
    }
    const command = this.commandFor(step);
    if (command === undefined) {
      rec.note(`${step.op} skipped: the kit approved no purchase it could refer to`);
      return;
    }
    await this.perform(control, command);
  }

  /** The command for a step; a void needs a purchase the kit approved (undefined when there is none). */
  private commandFor(step: TerminalStep): TerminalCommand | undefined {
    const card = step.card === undefined ? {} : { card: cardOf(step.card) };
    const amount = step.amount ?? 100;
    const sale = this.sales.at(-1);
    switch (step.op) {
      case "purchase":
        return { op: "purchase", amount, ...card };
      case "balance":
        return { op: "balance", ...card };
      case "void":
        return sale === undefined ? undefined : { op: "void", stan: sale.stan, amount: sale.amount };
      case "refund":
        return sale === undefined ? { op: "refund", amount, ...card } : { op: "refund", amount, stan: sale.stan };
      case "settlement":
      case "signon":
        return { op: step.op };
      case "restart":
        return undefined;
    }
  }

  /** Has the terminal carry out one command and records it, then its result. */
  private async perform(control: TerminalControl, command: TerminalCommand): Promise<ControlResult> {
    const rec = this.o.recorder;
    const text = commandText(command);
    rec.control({ op: command.op, command: describeCommand(command) }, text);
    const deadlineMs = resultDeadlineMs(this.o.responseTimeoutMs, this.o.reversalAttempts);
    const result = await control.perform(command, { deadlineMs });
    rec.control({ op: command.op, result }, `${text}: ${result.outcome}${result.code ? ` ${result.code}` : ""}${result.message ? ` (${result.message})` : ""}`);
    return result;
  }

  private async acceptLinks(): Promise<void> {
    for (;;) {
      // Waits as long as the scenario runs: the target's close ends it.
      const got = await this.o.terminal.accept({ deadlineMs: Infinity });
      if ("kind" in got) return;
      this.o.recorder.attach(got);
      this.o.recorder.connect(got.id, got.peer);
      const served: Promise<void> = this.serve(got).finally(() => this.serving.delete(served));
      this.serving.add(served);
    }
  }

  /** Answers one request at a time until the connection closes. */
  private async serve(link: Link): Promise<void> {
    for (;;) {
      // A connection lasts as long as the terminal (or a fault, or the scenario's end) keeps it.
      const got = await link.receive({ deadlineMs: Infinity });
      if (got.kind !== "frame") return;
      await this.answer(link, got.body);
    }
  }

  private async answer(link: Link, body: Buffer): Promise<void> {
    let request: Message | undefined;
    try {
      request = unpack(this.d, body);
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
    }
    if (request !== undefined && !isRequestMti(request.mti)) return;
    const fault = request === undefined ? undefined : this.faultFor(request);
    if (fault?.kind === "code") {
      const reply = this.decline(request!, fault.code ?? rulesOf(this.d).codes.do_not_honour);
      this.o.recorder.fault({ ...this.about(link, request!, fault), code: fault.code }, `declined with ${fault.code}`);
      return this.send(link, request!, reply, true);
    }
    // The reference host decides; an undecodable request gets its format error (30), if any answer.
    const turn = this.host.handle(body);
    if (turn.reply === undefined) return;
    const reply = { message: turn.reply.message, frame: turn.reply.frame };
    if (fault === undefined || request === undefined) return this.send(link, request, reply, true);
    await this.inject(link, request, reply, fault);
  }

  /** Sends the answer to `request` with `fault` applied, after recording the fault. */
  private async inject(link: Link, request: Message, reply: Reply, fault: TerminalFault | ReversalDrop): Promise<void> {
    const rec = this.o.recorder;
    const about = this.about(link, request, fault);
    const timeout = this.o.responseTimeoutMs;
    switch (fault.kind) {
      case "reversal_drop":
        rec.fault(about, `the answer to the reversal of STAN ${about.reverses} is dropped (${fault.left} more to drop)`);
        return;
      case "drop":
        rec.fault(about, "no answer");
        return;
      case "late": {
        const heldMs = lateAnswerMs(timeout);
        rec.fault({ ...about, heldMs }, `the answer is held ${heldMs} ms, past the terminal's ${timeout} ms timeout`);
        return this.later(link, reply.frame, heldMs);
      }
      case "answer_twice": {
        rec.fault(about, "the answer is sent twice");
        // In one write, as a host that sends a duplicate at once puts both in one segment.
        const once = link.framing.encode(reply.frame);
        await link.sendRaw(Buffer.concat([once, once])).catch(() => undefined);
        return this.book(request, reply.message);
      }
      case "wrong_stan":
      case "wrong_tid":
      case "wrong_amount": {
        const { field, alter } = MISECHO[fault.kind];
        const was = reply.message.fields[field];
        if (was === undefined) {
          rec.note(`${fault.kind} not applied: the answer carries no field ${field}`);
          return this.send(link, request, reply, true);
        }
        const message: Message = { ...reply.message, fields: { ...reply.message.fields, [field]: alter(was) } };
        rec.fault({ ...about, field, echoed: message.fields[field] }, `field ${field} echoed as ${message.fields[field]}, not ${was}`);
        return this.send(link, request, { message, frame: this.frame(request, message, this.hasMac(reply.frame)) }, false);
      }
      case "bad_mac": {
        if (!this.hasMac(reply.frame)) {
          rec.note("bad_mac not applied: the answer carries no MAC");
          return this.send(link, request, reply, true);
        }
        const frame = Buffer.from(reply.frame);
        frame[frame.length - 1] ^= 0x01;
        rec.fault(about, "the answer's MAC is corrupted");
        // A bad MAC spoils only an approval (or any answer, where the dialect verifies every one).
        const valid = reply.message.fields["39"] !== rulesOf(this.d).codes.approved && this.d.table.mac?.verify !== "always";
        return this.send(link, request, { message: reply.message, frame }, valid);
      }
      case "malformed": {
        const variant = fault.variant ?? "truncated";
        rec.fault({ ...about, variant }, `a malformed answer (${variant})`);
        await link.send(malformed(reply.frame, variant, this.d.headerBytes)).catch(() => undefined);
        return;
      }
      case "disconnect": {
        rec.fault(about, "half the answer, then the connection dropped");
        const raw = link.framing.encode(reply.frame);
        await link.sendRaw(raw.subarray(0, Math.max(1, raw.length >> 1))).catch(() => undefined);
        await link.close();
        return;
      }
      case "code":
        return; // answered in `answer`: the host never sees the request
    }
  }

  /**
   * The fault for a request: a reversal's answer is dropped while its original's fault says so;
   * a step's fault applies to the step's own request, the first of the step's operation.
   */
  private faultFor(request: Message): TerminalFault | ReversalDrop | undefined {
    const tid = request.fields["41"] ?? "";
    if (isReversal(this.d, request)) {
      const key = `${tid}|${reversedStan(this.d, request)}`;
      const left = this.reversalDrops.get(key) ?? 0;
      if (left === 0) return undefined;
      this.reversalDrops.set(key, left - 1);
      return { kind: "reversal_drop", left: left - 1 };
    }
    const taken = this.take(request);
    const fault = taken?.step.fault;
    if (fault?.reversalDrops) this.reversalDrops.set(`${tid}|${request.fields["11"]}`, fault.reversalDrops);
    return fault;
  }

  /** The step a request is the own request of, if any: driven, the current step's; passive, the next step. */
  private take(request: Message): StepInProgress | undefined {
    const op = this.opOf(request);
    if (!this.o.terminal.control.drives) {
      if (op === ECHO || this.passiveNext >= this.scenario.steps.length) return undefined;
      const index = this.passiveNext++;
      const step = this.scenario.steps[index];
      this.o.recorder.step(index, describeStep(this.scenario, step));
      this.current = { index, step, taken: true };
      this.stepTaken?.();
      return this.current;
    }
    const c = this.current;
    if (c === undefined || c.taken || c.step.op !== op) return undefined;
    c.taken = true;
    return c;
  }

  private opOf(m: Message): string | undefined {
    return operationOf(this.d, m.mti, m.fields["3"], networkCodeOf(this.d, m));
  }

  /** The fault event's detail: which request it hit, on which connection (`exchanges` pairs by it). */
  private about(link: Link, request: Message, fault: TerminalFault | ReversalDrop): Record<string, unknown> & { reverses?: string } {
    const out: Record<string, unknown> & { reverses?: string } = { fault: fault.kind === "reversal_drop" ? "drop" : fault.kind, conn: link.id, mti: request.mti, stan: request.fields["11"] };
    if (isReversal(this.d, request)) out.reverses = reversedStan(this.d, request);
    return out;
  }

  /** A decline built by the kit itself (the reference host never sees the request), MACed like the host's answers. */
  private decline(request: Message, code: string): Reply {
    const message = buildResponse(this.d, request, { code });
    return { message, frame: this.frame(request, message, macRequired(this.d, request)) };
  }

  private frame(request: Message, message: Message, withMac: boolean): Buffer {
    const key = withMac ? this.host.macKeyOf(request.fields["41"] ?? "") : undefined;
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
