import type { ScenarioFile } from "../reports/scenarioFile.js";
import { resolveDialect } from "../src/iso8583/builtinDialects.js";
import { type Dialect, loadDialect } from "../src/iso8583/dialect.js";
import { UsageError } from "../api/usageError.js";

/**
 * The dialect a scenario file was found under: `override` where given, else the dialect of your
 * own it carries (`dialectTable`), else the built-in one it names; so `replay` and `check` work
 * with the dialect file gone or moved.
 */
export function scenarioDialect(path: string, f: ScenarioFile, override?: string): Dialect {
  if (override !== undefined) return resolveDialect(override);
  if (f.dialectTable === undefined) return resolveDialect(f.dialect);
  const d = loadDialect(f.dialectTable, `${path} (dialectTable, the dialect ${f.dialect} it was found under)`);
  if (d.name !== f.dialect) throw new UsageError(`${path}: its dialectTable is dialect ${d.name}, its dialect key says ${f.dialect}`);
  return d;
}
