/** What a long-running simulator command (`isoconf sim host`, `isoconf sim terminal`) shares. */

/** Resolves with the first SIGINT or SIGTERM, so the command can close its connections and exit 0. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Prints a seeded-bug table for `--bug list`: name, the properties it violates, description. */
export function printBugList(bugs: readonly { name: string; violates: readonly string[]; description: string; needs?: string }[]): void {
  const width = Math.max(...bugs.map((b) => b.name.length));
  for (const b of bugs) {
    // Only a card's balance shows such a bug: the dialect's profile must let the kit read balances.
    const needs = b.needs === "balances" ? ` (found only under a profile with "balances": "inquiry")` : "";
    process.stdout.write(`${b.name.padEnd(width)}  ${b.violates.join(", ").padEnd(17)}  ${b.description}${needs}\n`);
  }
}
