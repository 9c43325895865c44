import { runResetCommand } from "./runResetCommand.js";
import type { ControlResult, TerminalControl } from "../scenario/terminalControl.js";

/**
 * The `passive` control adapter: the terminal acts on its own (a test script on the device, a
 * cashier, an unattended kiosk) and the kit only decides how to answer each of its requests:
 * step i is the answer to its i-th transaction request.
 */
export class PassiveControl implements TerminalControl {
  readonly description = "passive";
  readonly drives = false;
  readonly canRestart: boolean;
  readonly idleMs: number | undefined;
  private readonly restartCommand: string | undefined;

  /** `restartCommand` restarts the terminal (enables restart steps); `idleMs` is how long it may stay silent. */
  constructor(o: { restartCommand?: string; idleMs?: number } = {}) {
    this.restartCommand = o.restartCommand;
    this.canRestart = o.restartCommand !== undefined;
    this.idleMs = o.idleMs;
  }

  perform(): Promise<ControlResult> {
    return Promise.reject(new Error("a passive terminal takes no commands"));
  }

  restart({ deadlineMs }: { deadlineMs: number }): Promise<void> {
    return runResetCommand(this.restartCommand, deadlineMs);
  }

  async close(): Promise<void> {}
}
