import { execFile } from "node:child_process";

/**
 * Runs the user's reset hook for an external SUT (before each scenario) and resolves once it
 * exits 0; rejects with its exit code (or the deadline it missed) and the start of its stderr.
 * Nothing to run resolves at once.
 */
export function runResetCommand(command: string | undefined, timeoutMs: number): Promise<void> {
  if (command === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile("/bin/sh", ["-c", command], { timeout: timeoutMs }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`the reset command failed (${error.killed ? `no exit within ${timeoutMs} ms` : `exit ${error.code}`}): ${stderr.trim().slice(0, 200)}`));
    });
  });
}
