import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { realClock } from "../link/clock.js";
import { EventQueue } from "../link/eventQueue.js";
import { maskPan } from "../trace/mask.js";
import { commandText, type ControlResult, type TerminalCommand, type TerminalControl } from "../scenario/terminalControl.js";

export interface ManualControlOptions {
  /** Where the operator answers (default stdin). */
  input?: Readable;
  /** Where the prompts go (default stderr, so stdout stays the run's summary). */
  output?: Writable;
}

const ANSWERS: Readonly<Record<string, ControlResult["outcome"]>> = { a: "approved", d: "declined", f: "failed" };

/** What the operator is asked to do, card data masked (the operator has the test card in hand). */
function instruction(c: TerminalCommand): string {
  const card = "card" in c ? c.card : undefined;
  if (card === undefined) return commandText(c);
  return `${commandText(c)} with card ${maskPan(card.pan)} ${card.track2 !== undefined ? "swiped" : "keyed in"}`;
}

/**
 * The `manual` control adapter: prompts an operator at the console for each step and waits, up
 * to the command's deadline, for the line they type: what the terminal showed (`a` approved,
 * `d` declined, `f` failed, optionally followed by the response code: `d 51`), or Enter alone
 * when they cannot tell. A restart is the operator's too: power the terminal off and on.
 */
export class ManualControl implements TerminalControl {
  readonly description = "manual";
  readonly drives = true;
  readonly canRestart = true;
  private readonly lines = new EventQueue<string>(realClock);
  private readonly reader: Interface;
  private readonly output: Writable;
  private step = 0;

  constructor(o: ManualControlOptions = {}) {
    this.output = o.output ?? process.stderr;
    this.reader = createInterface({ input: o.input ?? process.stdin, terminal: false });
    this.reader.on("line", (line) => this.lines.push(line));
    this.reader.on("close", () => this.lines.close("the operator's input closed"));
  }

  async perform(command: TerminalCommand, { deadlineMs }: { deadlineMs: number }): Promise<ControlResult> {
    this.step++;
    this.say(
      `\nisoconf [${this.step}]: on the terminal, do: ${instruction(command)}`,
      "  then type what it showed: a = approved, d = declined, f = failed (add the code if shown: d 51); Enter alone = cannot tell",
    );
    const got = await this.lines.next(deadlineMs);
    if (typeof got !== "string") return { outcome: "unknown", message: got.kind === "timeout" ? `no answer from the operator within ${deadlineMs} ms` : got.reason };
    const [word = "", code] = got.trim().toLowerCase().split(/\s+/);
    const outcome = ANSWERS[word[0] ?? ""] ?? "unknown";
    const result: ControlResult = { outcome, message: `the operator: ${got.trim() || "(cannot tell)"}` };
    if (code !== undefined && /^[0-9a-z]{2}$/.test(code)) result.code = code.toUpperCase();
    return result;
  }

  async restart({ deadlineMs }: { deadlineMs: number }): Promise<void> {
    this.say("\nisoconf: restart the terminal (power it off and on), then press Enter");
    const got = await this.lines.next(deadlineMs);
    if (typeof got !== "string") throw new Error(got.kind === "timeout" ? `the operator did not confirm the restart within ${deadlineMs} ms` : got.reason);
  }

  async close(): Promise<void> {
    this.reader.close();
  }

  private say(...lines: string[]): void {
    this.output.write(lines.join("\n") + "\n> ");
  }
}
