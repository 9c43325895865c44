import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { Scenario } from "../src/scenario/scenario.js";
import { SUMMARY_FORMAT } from "./summaryJson.js";

export const SCENARIO_FORMAT = "isoconf-scenario/1";

/** How the run that found it reached its SUT, so `isoconf replay FILE` needs no flags. */
export interface RecordedTarget {
  /** `reference` (the built-in simulator), `tcp` (connect), `listen`, or `serial` (a terminal's ISO 8583 line). */
  kind: "reference" | "tcp" | "listen" | "serial";
  url?: string;
  bug?: string;
}

/** A replayable counterexample: the scenario plus what it needs to run the same way again. */
export interface ScenarioFile {
  format: typeof SCENARIO_FORMAT;
  /** The property it fails (absent for a scenario saved by hand). */
  property?: string;
  suite: string;
  dialect: string;
  target: RecordedTarget;
  responseTimeoutMs: number;
  registeredTerminals: string[];
  /** The merchant of the kit's terminals, and the check value of their master key (the key itself is never written). */
  merchant?: string;
  tmkKcv?: string;
  /** Terminal scenarios: the terminal's configured reversal attempts the run judged it by. */
  reversalAttempts?: number;
  /** The run's seed (`--seed` reproduces the whole run). */
  seed?: number;
  /** The steps as people read them; `scenario` is what replays. */
  steps: string[];
  scenario: Scenario;
}

const card = z.object({ bin: z.string().regex(/^\d{6,8}$/), account: z.number().int().min(0), length: z.number().int().min(13).max(19), expiry: z.string().regex(/^\d{4}$/), swiped: z.boolean() }).strict();
const fault = z
  .object({
    kind: z.enum(["drop", "duplicate", "bad_mac", "malformed", "disconnect", "reverse_twice", "reverse_unknown"]),
    variant: z.enum(["truncated", "bad_length", "bad_content", "garbage"]).optional(),
  })
  .strict();
const step = z
  .object({
    op: z.enum(["signon", "echo", "balance", "purchase", "void", "refund", "preauth"]),
    terminal: z.number().int().min(0),
    amount: z.number().int().min(0).optional(),
    card: card.optional(),
    fault: fault.optional(),
  })
  .strict();
const malformedVariant = z.enum(["truncated", "bad_length", "bad_content", "garbage"]);
const hostScenarioSchema = z.object({ role: z.literal("host"), terminals: z.array(z.string()).min(1), steps: z.array(step) }).strict();
const terminalStep = z
  .object({
    op: z.enum(["purchase", "balance", "void", "refund", "settlement", "signon", "restart"]),
    amount: z.number().int().min(1).optional(),
    card: card.optional(),
    fault: z
      .object({
        kind: z.enum(["drop", "late", "answer_twice", "wrong_stan", "wrong_tid", "wrong_amount", "bad_mac", "code", "malformed", "disconnect"]),
        variant: malformedVariant.optional(),
        code: z.string().regex(/^[0-9A-Z]{2}$/).optional(),
        reversalDrops: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const terminalScenarioSchema = z.object({ role: z.literal("terminal"), steps: z.array(terminalStep) }).strict();
const schema = z
  .object({
    format: z.literal(SCENARIO_FORMAT),
    property: z.string().optional(),
    suite: z.string(),
    dialect: z.string(),
    target: z.object({ kind: z.enum(["reference", "tcp", "listen", "serial"]), url: z.string().optional(), bug: z.string().optional() }).strict(),
    responseTimeoutMs: z.number().positive(),
    registeredTerminals: z.array(z.string()),
    merchant: z.string().regex(/^[ -~]{15}$/).optional(),
    tmkKcv: z.string().regex(/^[0-9A-F]{6}$/).optional(),
    reversalAttempts: z.number().int().min(1).max(10).optional(),
    seed: z.number().int().optional(),
    steps: z.array(z.string()),
    scenario: z.discriminatedUnion("role", [hostScenarioSchema, terminalScenarioSchema]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const scenario = f.scenario;
    if (scenario.role !== "host") return;
    scenario.steps.forEach((s, i) => {
      if (s.terminal >= scenario.terminals.length) {
        ctx.addIssue({ code: "custom", path: ["scenario", "steps", i, "terminal"], message: `terminal ${s.terminal} is not in scenario.terminals (${scenario.terminals.length} of them)` });
      }
    });
  });

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
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ScenarioFileError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data as ScenarioFile;
}
