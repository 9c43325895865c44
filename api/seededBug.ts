import { HOST_BUGS } from "../src/sim/host/bugs.js";
import { TERMINAL_BUGS } from "../src/sim/terminal/bugs.js";
import { UsageError } from "./usageError.js";

/**
 * A `--bug` name (from a flag, a configuration file or a replayed scenario) checked against the
 * reference SUT's bugs before anything runs: a typo is one line naming the bugs there are.
 */
export function checkSeededBug(role: "host" | "terminal", name: string | undefined): void {
  if (name === undefined) return;
  const bugs: readonly { name: string }[] = role === "host" ? HOST_BUGS : TERMINAL_BUGS;
  if (bugs.some((b) => b.name === name)) return;
  throw new UsageError(`the reference ${role} has no bug ${JSON.stringify(name)}: it has ${bugs.map((b) => b.name).join(", ")} ('isoconf sim ${role} --bug list' says what each does)`);
}
