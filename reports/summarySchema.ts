import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SUMMARY_FORMAT } from "./summaryJson.js";
import { STOP_REASONS, VERDICTS } from "../src/runner/suiteResult.js";

/**
 * The reading side of summary.json (`renderSummaryJson` writes it): what `isoconf merge` needs
 * back from a run's folder, validated so that a hand-edited or cut file is an error naming the
 * folder and the key, never a crash further on. Keys the merge does not read pass unchecked.
 */
const count = z.number().int().min(0);
const runnerVerdict = z.enum(VERDICTS);

const violation = z.object({ message: z.string(), expected: z.string(), actual: z.string(), events: z.array(count) });

const counterexample = z.looseObject({
  originalSteps: count,
  shrinkRuns: count,
  shrinkMs: z.number().min(0),
  violations: z.array(violation),
});

const property = z
  .looseObject({
    id: z.string().min(1),
    title: z.string(),
    requirement: z.string(),
    reference: z.string(),
    /** Absent from summaries written before verdicts counted what they judged. */
    judges: z.string().optional(),
    verdict: z.enum([...runnerVerdict.options, "waived"]),
    waiver: z.string().optional(),
    waivedVerdict: runnerVerdict.optional(),
    reason: z.string().optional(),
    foundAfter: z.number().int().min(1).optional(),
    judged: count.optional(),
    limit: z.string().optional(),
    counterexample: counterexample.optional(),
  })
  .superRefine((p, ctx) => {
    const waived = p.verdict === "waived";
    if (waived !== (p.waiver !== undefined)) ctx.addIssue({ code: "custom", path: ["waiver"], message: `expected a waiver exactly when the verdict is "waived"` });
    if (waived && p.waivedVerdict === undefined) {
      ctx.addIssue({ code: "custom", path: ["waivedVerdict"], message: "expected the verdict under the waiver (summaries written before isoconf merge lack it: run the shard again)" });
    }
    const verdict = waived ? p.waivedVerdict : p.verdict;
    if ((verdict === "fail" || verdict === "flaky") && p.counterexample === undefined) {
      ctx.addIssue({ code: "custom", path: ["counterexample"], message: `expected a counterexample for a ${verdict} verdict` });
    }
  });

const shard = z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).refine((s) => s.index <= s.count, "expected index <= count");

const summary = z.looseObject({
  format: z.literal(SUMMARY_FORMAT),
  version: z.string(),
  suite: z.string().min(1),
  dialect: z.string().min(1),
  /** Absent from summaries written before it was recorded. */
  dialectDigest: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  target: z.string(),
  seed: z.number().int(),
  shard: shard.optional(),
  startedAt: z.iso.datetime(),
  durationMs: z.number().min(0),
  interrupted: z.boolean(),
  stopped: z.object({ reason: z.enum(STOP_REASONS), message: z.string().optional() }).optional(),
  masked: z.boolean(),
  config: z.object({
    runs: z.number().int().min(1),
    // Written by runs that record them; older summaries lack them.
    maxSteps: z.number().int().min(1).optional(),
    only: z.array(z.string()).optional(),
    skip: z.array(z.string()).optional(),
    responseTimeoutMs: z.number().positive(),
    requireExercised: z.number().int().min(1).optional(),
    registeredTerminals: z.array(z.string()),
    merchant: z.string().optional(),
    tmkKcv: z.string().optional(),
    reversalAttempts: z.number().int().min(1).optional(),
    target: z.strictObject({ kind: z.enum(["reference", "tcp", "listen", "serial"]), url: z.string().optional(), bug: z.string().optional() }),
  }),
  figures: z.object({ scenarios: count, executions: count, requests: count }),
  properties: z.array(property),
});

export type Summary = z.infer<typeof summary>;
export type SummaryProperty = Summary["properties"][number];

/** A summary.json that cannot be read or does not hold what a run writes; the message names the file and the key. */
export class SummaryFileError extends Error {
  override readonly name = "SummaryFileError";
}

/** Reads and validates `folder/summary.json`. */
export function readSummaryJson(folder: string): Summary {
  const path = join(folder, "summary.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !existsSync(folder)) throw new SummaryFileError(`${folder}: no such folder`);
    const why = code === "ENOENT" ? "no such file (is this an isoconf output folder?)" : code ? `cannot read it (${code})` : `not valid JSON (${(e as Error).message})`;
    throw new SummaryFileError(`${path}: ${why}`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== SUMMARY_FORMAT) throw new SummaryFileError(`${path}: format is ${JSON.stringify(format)}: expected "${SUMMARY_FORMAT}"`);
  const parsed = summary.safeParse(json);
  if (!parsed.success) {
    throw new SummaryFileError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
