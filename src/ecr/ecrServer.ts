import type { ControlChannel } from "../link/controlChannel.js";
import { type EcrCommand, type EcrResult, formatEcrResult, parseEcrCommand } from "./ecrProtocol.js";

/** One line per command for the operator's log: never card data, which commands may carry. */
export type EcrLog = (line: string) => void;

/** What carries the commands out: the reference terminal, or a stand-in. */
export interface EcrTarget {
  execute(command: EcrCommand): Promise<EcrResult>;
}

/**
 * Serves `isoconf-ecr/1` on a control channel: reads one command frame at a time, has the
 * terminal carry it out, and sends back exactly one result frame, an error result included
 * when the frame is not a valid command. A command whose id equals the previous command's is
 * a resend (its result frame was lost): the previous result goes out again and nothing is
 * carried out twice.
 */
export class EcrServer {
  /** Settles when serving stops: the line closed, or `close` was called. */
  readonly closed: Promise<void>;
  private last: { id: string; frame: string } | undefined;

  constructor(
    private readonly channel: ControlChannel,
    private readonly terminal: EcrTarget,
    private readonly log: EcrLog = () => {},
  ) {
    this.closed = this.serve();
  }

  /** Stops serving: closes the channel once the command in progress has been answered. */
  async close(): Promise<void> {
    await this.channel.close();
    await this.closed;
  }

  private async serve(): Promise<void> {
    for (;;) {
      const got = await this.channel.receive({ deadlineMs: Infinity });
      if (got.kind !== "frame") return;
      const reply = await this.answer(got.body.toString("utf8"));
      try {
        await this.channel.send(reply);
      } catch (e) {
        this.log(`result not delivered: ${(e as Error).message}`);
      }
    }
  }

  private async answer(text: string): Promise<string> {
    const parsed = parseEcrCommand(text);
    if ("error" in parsed) {
      this.log(`rejected frame (id ${parsed.id ?? "unknown"}): ${parsed.error}`);
      return formatEcrResult(parsed.id, parsed.cmd, { result: "error", message: parsed.error });
    }
    const { id, command } = parsed;
    if (this.last?.id === id) {
      this.log(`${command.cmd} ${id}: a resend, answered with the previous result`);
      return this.last.frame;
    }
    const result = await this.terminal.execute(command);
    this.log(`${command.cmd} ${id}: ${summary(result)}`);
    const frame = formatEcrResult(id, command.cmd, result);
    this.last = { id, frame };
    return frame;
  }
}

function summary(r: EcrResult): string {
  const parts = [r.result, r.code, r.stan && `stan ${r.stan}`, r.message].filter((x) => x !== undefined && x !== "");
  return parts.join(" ");
}
