import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "./input.js";

/** The file `isoconf run` reads when it is in the current folder and no --config is given. */
export const DEFAULT_CONFIG_FILE = "isoconf.config.json";

const id = z.string().regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, "a property ID such as H-REV-1");

/**
 * A configuration file holds the same keys as the command line (`"timeout-ms": 45000`), so a
 * flag and a key never mean two things, plus `waivers`: properties whose failure is known and
 * accepted, each with the written reason reports show. Flags given on the command line win.
 */
const configSchema = z
  .object({
    target: z.string(),
    listen: z.string(),
    serial: z.string(),
    dialect: z.string(),
    runs: z.number().int().positive(),
    seed: z.number().int(),
    out: z.string(),
    bug: z.string(),
    "timeout-ms": z.number().positive(),
    "deadline-ms": z.number().positive(),
    "max-steps": z.number().int().positive(),
    only: z.array(z.string()),
    skip: z.array(z.string()),
    framing: z.string(),
    "reset-cmd": z.string(),
    suite: z.string(),
    mask: z.boolean(),
    tid: z.string(),
    "reversal-attempts": z.number().int().positive(),
    control: z.enum(["ecr", "exec", "passive", "manual"]),
    ecr: z.string(),
    waivers: z.array(z.object({ id, reason: z.string().min(10, "a written reason of at least 10 characters") }).strict()),
  })
  .partial()
  .strict();

export type RunConfig = z.infer<typeof configSchema>;

/** Reads and checks a configuration file; errors name the key and the expected shape. */
export function readRunConfig(path: string): RunConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code ? `cannot read the configuration (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  }
  const ids = parsed.data.waivers?.map((w) => w.id) ?? [];
  const twice = ids.find((x, i) => ids.indexOf(x) !== i);
  if (twice) throw new UsageError(`${path}: waivers: ${twice} is waived twice`);
  return parsed.data;
}

/** --config, or isoconf.config.json when it exists here. */
export const defaultConfigPath = (): string | undefined => (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
