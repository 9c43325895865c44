import type { Dialect } from "../iso8583/dialect.js";
import type { Message } from "../iso8583/message.js";
import type { Clock } from "../link/clock.js";
import { networkCodeOf, operationOf, unsupportedOperations } from "../protocol/index.js";
import type { FileCard } from "../scenario/cardFile.js";
import { cardOf, describeStep, type TerminalScenario, type TerminalStep } from "../scenario/scenario.js";
import type { OpenTerminalTarget } from "../scenario/target.js";
import type { ReferenceHost } from "../sim/host/referenceHost.js";
import { resultDeadlineMs } from "../ecr/ecrProtocol.js";
import type { TraceRecorder } from "../trace/traceRecorder.js";
import { AnsweringHost } from "./answeringHost.js";
import { commandText, describeCommand, type ControlResult, type TerminalCommand, type TerminalControl } from "../scenario/terminalControl.js";

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
  /** The run's card file, where the scenario's cards come from it. */
  cards?: readonly FileCard[];
  /**
   * Decides every answer as a correct host would, the terminal under test registered with it;
   * the kit then applies the scenario's faults. A new one per scenario for a fresh terminal, one
   * for the whole run for a terminal that keeps its state (keys, batch) between scenarios.
   */
  host: ReferenceHost;
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

/**
 * Plays the host of a terminal under test: serves every connection the terminal opens (or the
 * kit opens to it), answering as the reference host decides with the scenario's faults on top
 * (`AnsweringHost`), and meanwhile has the terminal carry out the steps through its control
 * adapter: a sign-on and a settlement first, then one command per step. A passive terminal acts
 * on its own: step i is then how its i-th transaction request is answered. It records; it never
 * judges.
 */
export class KitHost {
  private readonly d: Dialect;
  private readonly answering: AnsweringHost;
  private current: StepInProgress | undefined;
  private readonly serving = new Set<Promise<void>>();
  private accepting: Promise<void> = Promise.resolve();
  /** Passive control: the next step a request takes, and who waits for it. */
  private passiveNext = 0;
  private stepTaken: (() => void) | undefined;

  constructor(
    private readonly scenario: TerminalScenario,
    private readonly o: KitHostOptions,
  ) {
    this.d = o.dialect;
    this.answering = new AnsweringHost({ ...o, faultOf: (request) => this.take(request)?.step.fault });
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
      this.answering.cancelLate();
      await this.answering.finishWriting();
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
   * A terminal whose profile has no sign-on or no settlement is not asked for them, nor one whose
   * control adapter cannot ask it (`cannot`).
   */
  private async drive(control: TerminalControl): Promise<void> {
    const rec = this.o.recorder;
    const leftOut = unsupportedOperations(this.o.dialect);
    const setup = (["signon", "settlement"] as const).filter((op) => !leftOut.includes(op) && !control.cannot?.includes(op));
    if (setup.length > 0) rec.step(-1, `setup: ${setup.map((op) => (op === "signon" ? "sign the terminal on" : "settle its open batch")).join(" and ")}`);
    for (const op of setup) await this.perform(control, { op });
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
    const idleMs = this.o.terminal.control.idleMs ?? DEFAULT_IDLE_MS;
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
    const card = step.card === undefined ? {} : { card: cardOf(step.card, this.o.cards) };
    const amount = step.amount ?? 100;
    const sale = this.answering.lastSale();
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
      this.o.recorder.connect(got);
      const served: Promise<void> = this.answering.serve(got).finally(() => this.serving.delete(served));
      this.serving.add(served);
    }
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
}
