import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { scenarioSchema } from "../src/scenario/scenario.js";
import { SUMMARY_FORMAT } from "./summaryJson.js";

export const SCENARIO_FORMAT = "isoconf-scenario/1";

/** How the run that found it reached its SUT, so `isoconf replay FILE` needs no flags. */
const recordedTargetSchema = z
  .object({
    /** `reference` (the built-in simulator), `tcp` (connect), `listen`, or `serial` (a terminal's ISO 8583 line). */
    kind: z.enum(["reference", "tcp", "listen", "serial"]),
    url: z.string().optional(),
    bug: z.string().optional(),
    /** The framing given instead of the dialect's (`--framing`). */
    framing: z.string().optional(),
    /**
     * A terminal's control flags as the run was given them (`control`, `ecr`, `restart-cmd`,
     * `idle-ms`, `exec-*`), so a replay steers it the same way; never a key.
     */
    control: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .strict();
export type RecordedTarget = z.infer<typeof recordedTargetSchema>;

/** A replayable counterexample: the scenario plus what it needs to run the same way again. */
const scenarioFileSchema = z
  .object({
    format: z.literal(SCENARIO_FORMAT),
    /** The property it fails (absent for a scenario saved by hand). */
    property: z.string().optional(),
    suite: z.string(),
    dialect: z.string(),
    /**
     * The table of a dialect that is not built in (a file of the user's), so the replay needs no
     * file beside it; `loadDialect` checks it when the replay reads it.
     */
    dialectTable: z.record(z.string(), z.unknown()).optional(),
    target: recordedTargetSchema,
    responseTimeoutMs: z.number().positive(),
    registeredTerminals: z.array(z.string()),
    /** The merchant of the kit's terminals, and the check value of their master key (the key itself is never written). */
    merchant: z.string().regex(/^[ -~]{1,99}$/).optional(),
    tmkKcv: z.string().regex(/^[0-9A-F]{6}$/).optional(),
    /** Terminal scenarios: the terminal's configured reversal attempts the run judged it by. */
    reversalAttempts: z.number().int().min(1).max(10).optional(),
    /**
     * The card file the run drew its cards from (`--cards`): its path as given and its SHA-256, so a
     * replay reads the same cards (the scenario names them by their place in it, never by number).
     */
    cards: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict().optional(),
    /** The run's seed (`--seed` reproduces the whole run). */
    seed: z.number().int().optional(),
    /** The steps as people read them; `scenario` is what replays. */
    steps: z.array(z.string()),
    scenario: scenarioSchema,
  })
  .strict();
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

export class ScenarioFileError extends Error {
  override readonly name = "ScenarioFileError";
}

export function writeScenarioFile(path: string, f: ScenarioFile): void {
  writeFileSync(path, JSON.stringify(f, null, 2) + "\n");
}

/** Reads and validates a scenario file; errors name the key and what was expected. */
export function readScenarioFile(path: string): ScenarioFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`${path}: ${code ? `cannot read the scenario file (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  // Another of the run's files (most often summary.json) is named in one line, not by every key it lacks.
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== SCENARIO_FORMAT) {
    const what = format === SUMMARY_FORMAT ? "a run's summary.json" : typeof format === "string" ? `a ${JSON.stringify(format)} file` : "no isoconf scenario file";
    throw new ScenarioFileError(`${path}: this is ${what}: replay takes an ID.scenario.json, which a run writes beside summary.json for each failing property`);
  }
  const parsed = scenarioFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ScenarioFileError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
