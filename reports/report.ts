import type { Dialect } from "../src/iso8583/dialect.js";
import { type PropertyResult, type SuiteResult, type Verdict, VERDICTS } from "../src/runner/suiteResult.js";
import type { RecordedTarget } from "./scenarioFile.js";

/** What a run was asked to do, for the machine index, the bug reports and the replay files. */
export interface RunSettings {
  runs: number;
  /**
   * Most steps per scenario, and the property IDs or prefixes run (`only`) and skipped (`skip`), as
   * given; summary.json records each that is set, and `isoconf merge` refuses shards that differ.
   */
  maxSteps?: number;
  only?: string[];
  skip?: string[];
  responseTimeoutMs: number;
  registeredTerminals: string[];
  /** The merchant the kit's terminals belong to, and the check value of their master key (never the key). */
  merchant?: string;
  tmkKcv?: string;
  /** Terminal role: the terminal's configured reversal attempts, which the properties judge it by. */
  reversalAttempts?: number;
  /** The card file the run drew its cards from, by path and digest (never its cards). */
  cards?: { file: string; sha256: string };
  target: RecordedTarget;
  mask: boolean;
  startedAt: Date;
  /** isoconf's version; default: read from its package.json. */
  version?: string;
  /** The output folder as replay commands name it; default: the folder written to. */
  replayDir?: string;
  /**
   * Waived properties: ID → the written reason from the config. The hook for waivers: nothing
   * passes them yet (the config has no waivers); every format already reports `waived`.
   */
  waivers?: ReadonlyMap<string, string>;
  /** Set by `isoconf merge`: this report joins the shards of one run, from these folders (shard 1 first). */
  mergedFrom?: MergedFrom;
}

/** The shards a merged report came from: `folders[i]` held shard `i + 1` of `count`. */
export interface MergedFrom {
  count: number;
  folders: string[];
}

/** DESIGN's five verdicts: the runner decides four; `waived` comes from the config, over any of them. */
export type ReportVerdict = Verdict | "waived";
export const REPORT_VERDICTS: readonly ReportVerdict[] = [...VERDICTS, "waived"];

/** A property as reported: the runner's result plus, when waived, the written reason. */
export type ReportProperty = PropertyResult & { waiver?: string };

/**
 * Everything a reporter may read, already masked (unless `masked` is false): reporters render
 * this and nothing else, so none of them can show what masking hid.
 */
export interface Report {
  run: Omit<SuiteResult, "properties">;
  /** In catalogue order. */
  properties: ReportProperty[];
  settings: Omit<RunSettings, "mask" | "version" | "replayDir" | "waivers">;
  masked: boolean;
  version: string;
  /** The output folder as replay commands name it. */
  outDir: string;
  /** For field names and response-code meanings; reporters never decode bytes with it. */
  dialect: Dialect;
}

/** `result` must already be masked when `settings.mask` is on (`maskSuiteResult`). */
export function buildReport(result: SuiteResult, dialect: Dialect, outDir: string, version: string, settings: RunSettings): Report {
  const { properties, ...run } = result;
  const { mask, version: _v, replayDir: _r, waivers, ...rest } = settings;
  return {
    run,
    properties: properties.map((p) => {
      const waiver = waivers?.get(p.id);
      return waiver === undefined ? p : { ...p, waiver };
    }),
    settings: rest,
    masked: mask,
    version,
    outDir,
    dialect,
  };
}

export const verdictOf = (p: ReportProperty): ReportVerdict => (p.waiver !== undefined ? "waived" : p.verdict);

export function countReportVerdicts(r: Report): Record<ReportVerdict, number> {
  const counts = Object.fromEntries(REPORT_VERDICTS.map((v) => [v, 0])) as Record<ReportVerdict, number>;
  for (const p of r.properties) counts[verdictOf(p)]++;
  return counts;
}

/** What every output says when masking is off. */
export const MASKING_OFF = "masking is off: this report holds card data in clear";

/** A property's per-file name stem: its ID, with anything a file name cannot hold replaced. */
export const fileStem = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, "_");
