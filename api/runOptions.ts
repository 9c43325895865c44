import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import type { Suite } from "../src/runner/property.js";
import { CONTROLS, EXEC_FLAGS } from "./terminalTarget.js";
import { UsageError } from "./usageError.js";

/** The file `isoconf run` reads when it is in the current folder and no --config is given. */
export const DEFAULT_CONFIG_FILE = "isoconf.config.json";

const id = z.string().regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, "a property ID such as H-REV-1");
const whole = z.number({ error: "a whole number above 0" }).int("a whole number above 0").positive("a whole number above 0");
const positive = z.number({ error: "a number above 0" }).positive("a number above 0");
const command = z.string().min(1, "a command line");
/** Options whose value an error message must not repeat. */
const SECRET = new Set(["tmk"]);
// Printable text here; whether it fits fields 41 and 42 is the dialect's to say (kitIdentity).
const terminalId = z.string().regex(/^[ -~]{1,99}$/, "printable characters (field 41)");

/**
 * What a run is asked to do, under one set of names: the flags of `isoconf run` (`--timeout-ms`),
 * the keys of a configuration file (`"timeout-ms": 45000`) and the options of the library
 * (`runConformance`, `isoconf/mocha`), so a flag and a key never mean two things. Beyond the
 * flags, `waivers`: properties whose failure is known and accepted, each with the written reason
 * the reports show.
 */
const runOptionsShape = {
  target: z.string(),
  listen: z.string(),
  serial: z.string(),
  dialect: z.string(),
  runs: whole,
  seed: z.number({ error: "a whole number" }).int("a whole number"),
  shard: z.string().regex(/^\d+\/\d+$/, "i/n, such as 2/4"),
  out: z.string(),
  bug: z.string(),
  "timeout-ms": positive,
  "deadline-ms": positive,
  "require-exercised": whole,
  "max-steps": whole,
  concurrency: whole,
  cards: z.string(),
  only: z.array(z.string()),
  skip: z.array(z.string()),
  framing: z.string(),
  "reset-cmd": command,
  suite: z.string(),
  mask: z.boolean(),
  tid: terminalId,
  terminals: z.array(terminalId).min(1, "at least one terminal ID"),
  unregistered: terminalId,
  merchant: z.string().regex(/^[ -~]{1,99}$/, "printable characters (field 42)"),
  tmk: z.string().regex(/^(?:[0-9A-Fa-f]{16}){1,3}$/, "a DES key in hex: 16, 32 or 48 hex digits"),
  "reversal-attempts": whole,
  control: z.enum(CONTROLS),
  ecr: z.string(),
  "restart-cmd": command,
  "idle-ms": positive,
  ...(Object.fromEntries(Object.keys(EXEC_FLAGS).map((flag) => [flag, command])) as Record<keyof typeof EXEC_FLAGS, typeof command>),
  waivers: z.array(z.object({ id, reason: z.string().min(10, "a written reason of at least 10 characters") }).strict()),
};
const runConfigSchema = z.object(runOptionsShape).partial().strict();

/** A configuration file's content. */
export type RunConfig = z.infer<typeof runConfigSchema>;

/** A run: the configuration's keys plus the role under test; a library caller may pass a suite object. */
export type RunOptions = Omit<RunConfig, "suite"> & { role: "host" | "terminal"; suite?: string | Suite };

/** The option names, for picking them out of parsed flags. */
export const RUN_OPTION_KEYS = Object.keys(runOptionsShape) as (keyof RunConfig)[];

/**
 * Checks options against the schema; errors name each bad key (as `where` names keys: `--runs`
 * for flags, `runs` in a file) with what was expected and what was given.
 */
export function checkRunOptions(input: unknown, where: { source?: string; flags?: boolean } = {}): RunConfig {
  const parsed = runConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.join(".") || "(top level)";
      const given = (input as Record<string, unknown>)[key];
      // yargs turns --no-bug into false and --bug with nothing after it into true.
      if (where.flags && i.path.length === 1 && typeof given === "boolean") return `--${key} needs a value${given ? "" : ` (there is no --no-${key})`}`;
      if (where.flags && i.path.length === 1) return `--${key} must be ${i.message}, got ${shown(key, given)}`;
      return `${key}: ${i.message}`;
    });
    throw new UsageError(`${where.source ? `${where.source}: ` : ""}${problems.join("; ")}`);
  }
  const ids = parsed.data.waivers?.map((w) => w.id) ?? [];
  const twice = ids.find((x, i) => ids.indexOf(x) !== i);
  if (twice) throw new UsageError(`${where.source ? `${where.source}: ` : ""}waivers: ${twice} is waived twice`);
  return parsed.data;
}

/** A bad value as an error repeats it: a key only by its length, whatever was typed. */
const shown = (key: string, value: unknown): string =>
  SECRET.has(key) ? `${String(value).length} characters (not shown)` : typeof value === "string" ? JSON.stringify(value) : Number.isNaN(value) ? "something that is not a number" : String(value);

/** Reads and checks a configuration file; errors name the key and the expected shape. */
export function readRunConfig(path: string): RunConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code ? `cannot read the configuration (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  return checkRunOptions(json, { source: path });
}

/** --config, or isoconf.config.json when it exists here. */
export const defaultConfigPath = (): string | undefined => (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
