import { createHash } from "node:crypto";

/**
 * A content digest of a scenario (`sha256:` and 64 hex digits) over its canonical JSON (object
 * keys sorted), so a trace can name the scenario it was recorded from and `isoconf check` can
 * refuse a scenario file from another run.
 */
export function scenarioDigest(scenario: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(scenario)).digest("hex")}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
