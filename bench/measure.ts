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

/** The middle of `list` (the upper one of an even count). */
export const median = (list: readonly number[]) => [...list].sort((a, b) => a - b)[list.length >> 1];

/** Round trips per call of an exchange that `roundTripRates` times. */
const BATCH = 256;

/**
 * Round trips per second of each `exchange(count)` (which completes `count` round trips), as the
 * median of `rounds` timed rounds after a warm-up. The exchanges take turns round by round, so
 * a noisy neighbour slows them alike and their ratio holds better than their absolute rates.
 */
export async function roundTripRates<Name extends string>(
  exchanges: Record<Name, (count: number) => Promise<void>>,
  { rounds = 7, roundMs = 300 } = {},
): Promise<Record<Name, number>> {
  const round = async (exchange: (count: number) => Promise<void>, ms: number) => {
    let n = 0;
    const start = process.hrtime.bigint();
    const stop = start + BigInt(ms) * 1_000_000n;
    let now = start;
    while (now < stop) {
      await exchange(BATCH);
      n += BATCH;
      now = process.hrtime.bigint();
    }
    return n / (Number(now - start) / 1e9);
  };
  const names = Object.keys(exchanges) as Name[];
  const rates = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (const name of names) await round(exchanges[name], roundMs); // warm-up: let the JIT settle
  for (let i = 0; i < rounds; i++) for (const name of names) rates[name].push(await round(exchanges[name], roundMs));
  return Object.fromEntries(names.map((name) => [name, median(rates[name])])) as Record<Name, number>;
}
