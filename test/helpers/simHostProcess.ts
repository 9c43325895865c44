import { type ChildProcess, spawn } from "node:child_process";
import { ISOCONF_BIN, ROOT } from "./builtCli.js";


/** Starts `isoconf sim host` and resolves with the process and the URL its first stdout line names. */
export function startHostProcess(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [ISOCONF_BIN, "sim", "host", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no "listening" line within 15 s; stderr: ${stderr}`));
    }, 15_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      // A host that listens names its address; one that dials out (--dial), the address it dials.
      const m = /^(?:listening|dialing) (tcp:\/\/\S+)/m.exec(stdout);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, url: m[1], stderr: () => stderr });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/** Stops the process with `signal` and resolves with its exit code; kills it if it does not stop in time. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}
