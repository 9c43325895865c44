import { type ChildProcess, spawn } from "node:child_process";
import { ControlChannel } from "../../../../src/link/controlChannel.js";
import { serialOpen } from "../../../../src/link/serialOpen.js";
import { stxEtx } from "../../../../src/link/stxEtx.js";
import { EcrClient } from "../../../../src/ecr/ecrClient.js";
import type { EcrCommand, EcrResultFrame } from "../../../../src/ecr/ecrProtocol.js";
import { openPtyPair, type PtyPair } from "../../../link/support/ptyPair.js";
import { ISOCONF_BIN, ROOT } from "../../../helpers/builtCli.js";

/** Node with serialport takes a fraction of a second to start; a loaded machine more. */
const READY_DEADLINE_MS = 10_000;
const EXIT_DEADLINE_MS = 5_000;
/** The scenarios here wait a few short response timeouts at most. */
const RESULT_DEADLINE_MS = 10_000;

export interface TerminalProcessOptions {
  host: string;
  dialect?: string;
  state?: string;
  bug?: string;
  timeoutMs: number;
  reversalAttempts?: number;
}

/**
 * `isoconf sim terminal` as a separate process, its ECR line on a socat pseudo-terminal pair
 * whose other end this side drives as the cash register.
 */
export class TerminalProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly pty: PtyPair,
    readonly ecr: EcrClient,
    private readonly log: () => string,
  ) {}

  /** Everything the process wrote on stderr so far: its log. */
  get stderr(): string {
    return this.log();
  }

  static async start(o: TerminalProcessOptions): Promise<TerminalProcess> {
    const pty = await openPtyPair();
    const args = [ISOCONF_BIN, "sim", "terminal", "--ecr", pty.a, "--host", o.host, "--dialect", o.dialect ?? "cup", "--timeout-ms", String(o.timeoutMs)];
    if (o.state !== undefined) args.push("--state", o.state);
    if (o.bug !== undefined) args.push("--bug", o.bug);
    if (o.reversalAttempts !== undefined) args.push("--reversal-attempts", String(o.reversalAttempts));
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    try {
      await ready(child, () => log);
      const channel = new ControlChannel(await serialOpen({ path: pty.b, framing: stxEtx() }), { ackTimeoutMs: 1000 });
      return new TerminalProcess(child, pty, new EcrClient(channel, { resultDeadlineMs: RESULT_DEADLINE_MS }), () => log);
    } catch (e) {
      child.kill("SIGKILL");
      await pty.close();
      throw e;
    }
  }

  /** Sends one command as the ECR does and returns its result. */
  async command(command: EcrCommand): Promise<EcrResultFrame> {
    try {
      return await this.ecr.command(command);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the terminal's log:\n${this.stderr}`);
    }
  }

  /** Writes a frame as it is, for frames that are not valid commands. */
  send(text: string): Promise<void> {
    return this.ecr.channel.send(text);
  }

  /** The next frame the terminal sends, parsed. */
  async nextFrame(): Promise<EcrResultFrame> {
    const got = await this.ecr.channel.receive({ deadlineMs: RESULT_DEADLINE_MS });
    if (got.kind !== "frame") throw new Error(`no frame from the terminal (${got.kind}); its log:\n${this.stderr}`);
    return JSON.parse(got.body.toString("utf8")) as EcrResultFrame;
  }

  /** Stops the process with `signal` (SIGKILL: killed mid-work) and releases the line; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve(this.child.exitCode);
      else this.child.once("exit", (code) => resolve(code));
    });
    this.child.kill(signal);
    const force = setTimeout(() => this.child.kill("SIGKILL"), EXIT_DEADLINE_MS);
    const code = await exited;
    clearTimeout(force);
    await this.ecr.close();
    await this.pty.close();
    return code;
  }
}

function ready(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(`not ready within ${READY_DEADLINE_MS} ms`), READY_DEADLINE_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`the terminal process is ${why}; its log:\n${log()}`));
    };
    child.once("exit", (code) => fail(`gone (exit code ${code})`));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
