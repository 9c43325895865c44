import { spawn, spawnSync } from "node:child_process";
import { ISOCONF_BIN, ROOT } from "./builtCli.js";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a separate process, as a user would, with a deadline; `env` adds to this process's environment. */
export function runCli(args: string[], stdin = "", timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [ISOCONF_BIN, ...args], {
    cwd: ROOT,
    input: stdin,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `runCli` without blocking, so independent invocations can run side by side; `cwd`: where it runs (the repository by default). */
export function runCliAsync(args: string[], timeoutMs = 30_000, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ISOCONF_BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
