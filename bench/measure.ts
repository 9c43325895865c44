import { cpus, totalmem } from "node:os";

/**
 * Operations per second of `op`, as the median of `rounds` timed rounds after a warm-up.
 * A median of several short rounds shrugs off the noise of a shared machine better than one
 * long round does.
 */
export function opsPerSecond(op: () => void, { rounds = 7, roundMs = 300 } = {}): number {
  const round = (ms: number) => {
    let n = 0;
    const start = process.hrtime.bigint();
    const stop = start + BigInt(ms) * 1_000_000n;
    let now = start;
    while (now < stop) {
      for (let i = 0; i < 100; i++) op();
      n += 100;
      now = process.hrtime.bigint();
    }
    return n / (Number(now - start) / 1e9);
  };
  round(roundMs); // warm-up: let the JIT settle
  const rates = Array.from({ length: rounds }, () => round(roundMs)).sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/** Where and when a benchmark ran, for the BENCHMARKS.md header. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? "unknown CPU"} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
