import type { Argv } from "yargs";
import type { Suite } from "../../src/runner/property.js";
import { hostSuite } from "../../suites/host/index.js";
import { terminalSuite } from "../../suites/terminal/index.js";

export const BUILTIN_SUITES: readonly Suite[] = [hostSuite, terminalSuite];

/** The built-in suite for a role. */
export const suiteFor = (role: "host" | "terminal"): Suite => (role === "host" ? hostSuite : terminalSuite);

export const listCommand = {
  builder: (y: Argv) =>
    y
      .positional("role", { choices: ["host", "terminal"], describe: "only this suite" })
      .option("json", { type: "boolean", default: false, describe: "print the catalogue as JSON" })
      .example("isoconf list", "every property")
      .example("isoconf list terminal --json", "the terminal suite, for tooling"),
  handler: (a: { role?: "host" | "terminal"; json: boolean }): number => {
    const suites = a.role ? [suiteFor(a.role)] : BUILTIN_SUITES;
    if (a.json) {
      const data = suites.map((s) => ({
        suite: s.name,
        role: s.role,
        properties: s.properties.map(({ id, title, requirement, reference }) => ({ id, title, requirement, reference })),
      }));
      process.stdout.write(JSON.stringify(data, null, 2) + "\n");
      return 0;
    }
    const lines: string[] = [];
    for (const s of suites) {
      lines.push(`${s.name} suite (isoconf plays the ${s.role === "host" ? "terminals" : "host"}):`);
      for (const p of s.properties) lines.push(`  ${p.id.padEnd(9)} ${p.title}`, `            ${p.requirement}`, `            ref: ${p.reference}`);
      lines.push("");
    }
    process.stdout.write(lines.join("\n"));
    return 0;
  },
};
