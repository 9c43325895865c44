import { type ChildProcess, spawn } from "node:child_process";
import { ISOCONF_BIN, ROOT } from "../../helpers/builtCli.js";

/** Node with serialport takes a fraction of a second to start; a loaded machine more. */
const READY_DEADLINE_MS = 15_000;
const EXIT_DEADLINE_MS = 5_000;

export interface SimTerminalOptions {
  /** The terminal's end of the ECR line (one side of a socat pair). */
  ecr: string;
  /** Where the kit, as its host, listens. */
  host: string;
  dialect: string;
  timeoutMs: number;
  state: string;
  bug?: string;
  /** Its terminal ID (`--tid`), where not the default. */
  tid?: string;
}

/** `isoconf sim terminal` as a separate process; resolves once it says `ready`. */
export async function startSimTerminal(o: SimTerminalOptions): Promise<{ child: ChildProcess; log: () => string; stop(signal?: NodeJS.Signals): Promise<void> }> {
  const args = [ISOCONF_BIN, "sim", "terminal", "--ecr", o.ecr, "--host", o.host, "--dialect", o.dialect, "--timeout-ms", String(o.timeoutMs), "--state", o.state];
  if (o.bug !== undefined) args.push("--bug", o.bug);
  if (o.tid !== undefined) args.push("--tid", o.tid);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const force = setTimeout(() => child.kill("SIGKILL"), EXIT_DEADLINE_MS);
    await exited;
    clearTimeout(force);
  };
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(`not ready within ${READY_DEADLINE_MS} ms`), READY_DEADLINE_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`the terminal process is ${why}; its log:\n${log}`));
    };
    child.once("exit", (code) => fail(`gone (exit code ${code})`));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve();
      }
    });
  });
  return { child, log: () => log, stop };
}
