import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * isoconf's version from its own package.json, found by walking up from this module: it sits
 * one folder up from source (`reports/`) and two from the build (`dist/reports/`). A bug report
 * names the version, so reading it must not fail: `unknown` when the file cannot be found.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "isoconf" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // no package.json here: look one folder up
    }
  }
  return (cached = "unknown");
}
