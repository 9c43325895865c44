import { ControlChannel } from "../link/controlChannel.js";
import type { Link } from "../link/link.js";
import { parseEndpoint } from "../link/parseEndpoint.js";
import { serialOpen } from "../link/serialOpen.js";
import { stxEtx } from "../link/stxEtx.js";
import { tcpConnect } from "../link/tcpConnect.js";
import { EcrClient } from "../ecr/ecrClient.js";
import { controlResultOf, ecrCommandOf } from "./ecrCommands.js";
import { runResetCommand } from "./runResetCommand.js";
import type { ControlResult, TerminalCommand, TerminalControl } from "../scenario/terminalControl.js";

export interface EcrControlOptions {
  /** How long a command may take to its result: `resultDeadlineMs` of the terminal's timeout and attempts. */
  resultDeadlineMs: number;
  /** A shell command that restarts the terminal (power cycle, service restart); without it, no restarts. */
  restartCommand?: string;
}

/**
 * The `ecr` control adapter: isoconf-ecr/1 commands (docs/ecr-protocol.md) over the terminal's
 * ECR line, a serial device (`/dev/ttyUSB0`, `serial:PATH?baud=…`) or a TCP socket
 * (`tcp://HOST:PORT`). One line for the whole run; a line that closes ends the run (exit 2),
 * since the terminal can no longer be steered.
 */
export class EcrControl implements TerminalControl {
  readonly drives = true;
  readonly canRestart: boolean;

  private constructor(
    readonly description: string,
    private readonly client: EcrClient,
    private readonly o: EcrControlOptions,
  ) {
    this.canRestart = o.restartCommand !== undefined;
  }

  static async open(where: string, o: EcrControlOptions): Promise<EcrControl> {
    const link = await openLine(where);
    const client = new EcrClient(new ControlChannel(link), { resultDeadlineMs: o.resultDeadlineMs });
    return new EcrControl(`ecr ${where}`, client, o);
  }

  async perform(command: TerminalCommand): Promise<ControlResult> {
    try {
      return controlResultOf(await this.client.command(ecrCommandOf(command)));
    } catch (e) {
      const why = (e as Error).message;
      // A terminal that is slow or stuck is the terminal's failure; a line that is gone is the kit's.
      if (this.client.channel.link.closeReason !== undefined) throw new Error(`the ECR line closed: ${why}`);
      return { outcome: "unknown", message: why };
    }
  }

  restart({ deadlineMs }: { deadlineMs: number }): Promise<void> {
    return runResetCommand(this.o.restartCommand, deadlineMs);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** The ECR line: a device path, `serial:PATH?…`, or `tcp://HOST:PORT`; STX/ETX framed. */
async function openLine(where: string): Promise<Link> {
  if (where.startsWith("tcp:")) return tcpConnect(where, { framing: stxEtx() });
  const endpoint = parseEndpoint(where.startsWith("serial:") ? where : `serial:${where}`);
  if (endpoint.kind !== "serial") throw new Error(`the ECR line is a serial device or tcp://HOST:PORT, got ${where}`);
  const { kind: _, ...line } = endpoint;
  return serialOpen({ ...line, framing: stxEtx() });
}
