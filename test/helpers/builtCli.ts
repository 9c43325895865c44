import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Tests run the CLI as a user would: a process of the built `dist/bin/isoconf.js`, which starts in
 * about half the time of the sources under tsx (hundreds of processes per run). The build is made
 * afresh once per mocha run (mochaGlobalSetup, .mocharc.json), so a test never runs stale code.
 */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ISOCONF_BIN = fileURLToPath(new URL("../../dist/bin/isoconf.js", import.meta.url));

export function mochaGlobalSetup(): void {
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  // tsc emits despite type errors, which `npm run typecheck` reports; only a build with no output stops the run.
  if (r.status !== 0 && !existsSync(ISOCONF_BIN)) throw new Error(`building dist/ for the CLI tests failed:\n${r.stdout}${r.stderr}${r.error?.message ?? ""}`);
  if (r.status !== 0) process.stderr.write(`  dist/ was built with errors (npm run typecheck names them):\n${r.stdout}`);
}
