import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/** How long socat may take to create both pseudo-terminals. */
const START_DEADLINE_MS = 5000;

export interface PtyPair {
  /** Two serial device paths wired to each other. */
  a: string;
  b: string;
  close(): Promise<void>;
}

/** Fails (never skips) when socat is missing: the serial tests are part of the suite. */
export function requireSocat(): void {
  const probe = spawnSync("socat", ["-V"], { stdio: "ignore" });
  if (probe.error) {
    throw new Error(
      "socat is not installed; the serial link tests need it for a pseudo-terminal pair: run `apt-get install -y socat`",
    );
  }
}

/** Two linked pseudo-terminals, made by socat in a fresh temp dir; close() kills socat. */
export async function openPtyPair(): Promise<PtyPair> {
  requireSocat();
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
