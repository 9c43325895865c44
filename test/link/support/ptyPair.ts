import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { skipOrFail } from "../../helpers/missingTools.js";

/** How long socat may take to create both pseudo-terminals. */
const START_DEADLINE_MS = 5000;

export interface PtyPair {
  /** Two serial device paths wired to each other. */
  a: string;
  b: string;
  close(): Promise<void>;
}

const socatInstalled = (): boolean => !spawnSync("socat", ["-V"], { stdio: "ignore" }).error;

/**
 * A `before` hook for suites that talk through a pseudo-terminal pair: without socat they skip
 * (fail with CI set, see missingTools.ts).
 */
export function requireSocat(this: Mocha.Context): void {
  if (socatInstalled()) return;
  skipOrFail(this, {
    tool: "socat",
    problem: "socat is not installed, and these tests talk through the pseudo-terminal pair it makes",
    install: "apt-get install -y socat",
  });
}

/** Two linked pseudo-terminals, made by socat in a fresh temp dir; close() kills socat. */
export async function openPtyPair(): Promise<PtyPair> {
  if (!socatInstalled()) throw new Error("socat is not installed: give the suite `before(requireSocat)`");
  const dir = mkdtempSync(join(tmpdir(), "isoconf-pty-"));
  const a = join(dir, "a");
  const b = join(dir, "b");
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  socat.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const until = performance.now() + START_DEADLINE_MS;
  while (!(existsSync(a) && existsSync(b))) {
    if (socat.exitCode !== null || performance.now() > until) {
      await stop(socat);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`socat did not create ${a} and ${b} within ${START_DEADLINE_MS} ms:\n${log}`);
    }
    await delay(10);
  }
  return {
    a,
    b,
    async close() {
      await stop(socat);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const force = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(force);
}
