import type { ControlChannel } from "../link/controlChannel.js";
import { ECR_PROTOCOL, type EcrCommand, type EcrResultFrame, resultDeadlineMs } from "./ecrProtocol.js";

export interface EcrClientOptions {
  /** How long to wait for each result. Default `resultDeadlineMs` for a 30 s timeout and 3 attempts. */
  resultDeadlineMs?: number;
}

const DEFAULT_RESULT_DEADLINE_MS = resultDeadlineMs(30_000, 3);

/**
 * The ECR's side of isoconf-ecr/1: sends a command with a fresh id and returns the result with
 * that id. Ids start from the time the client was made, so a restarted ECR never reuses the
 * id a terminal remembers (it would answer with its previous result instead of acting).
 */
export class EcrClient {
  private readonly idPrefix = Date.now().toString(36);
  private count = 0;
  private readonly deadlineMs: number;

  constructor(
    readonly channel: ControlChannel,
    options: EcrClientOptions = {},
  ) {
    this.deadlineMs = options.resultDeadlineMs ?? DEFAULT_RESULT_DEADLINE_MS;
  }

  /**
   * Sends `command` and waits for its result. Results for other ids (a late one, or a repeat
   * after a lost ACK) are passed over. Rejects when the frame is not acknowledged, when no
   * result comes in time, or when the terminal answers with something that is not a result.
   */
  async command(command: EcrCommand): Promise<EcrResultFrame> {
    const id = `${this.idPrefix}-${++this.count}`;
    await this.channel.send(JSON.stringify({ v: ECR_PROTOCOL, id, ...command }));
    // The channel's clock: a virtual one in-process, so a long deadline costs nothing there.
    const clock = this.channel.link.clock;
    const until = clock.now() + this.deadlineMs;
    for (;;) {
      const got = await this.channel.receive({ deadlineMs: Math.max(0, until - clock.now()) });
      if (got.kind !== "frame") throw new Error(`no result for ${command.cmd} ${id} within ${this.deadlineMs} ms (${got.kind === "closed" ? `line closed: ${got.reason}` : "timeout"})`);
      const result = readResult(got.body.toString("utf8"));
      if (result.id === id) return result;
    }
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}

function readResult(text: string): EcrResultFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("the terminal sent a frame that is not JSON");
  }
  const frame = json as Partial<EcrResultFrame> | null;
  if (frame?.v !== ECR_PROTOCOL || typeof frame.result !== "string") throw new Error(`the terminal sent a frame that is not an ${ECR_PROTOCOL} result`);
  return frame as EcrResultFrame;
}
