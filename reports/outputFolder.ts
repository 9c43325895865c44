import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Why an output folder cannot be used, in one line; thrown before a run starts. */
export class OutputFolderError extends Error {
  override readonly name = "OutputFolderError";
}

/**
 * Makes the output folder and proves a file can be written in it, so a bad --out fails before
 * the run rather than after it. Missing levels are made one at a time: Node's recursive mkdir
 * loops for ever under /proc.
 */
export function makeOutputFolder(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const fail = (why: string): never => {
    throw new OutputFolderError(`cannot write the report to ${dir}: ${why}`);
  };
  if (existsSync(at) && !statSync(at).isDirectory()) fail(`${at} is a file, not a folder`);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e) {
      fail(`cannot make ${level} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  if (!statSync(dir).isDirectory()) fail("it is a file, not a folder");
  const probe = join(dir, `.isoconf-write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (e) {
    fail(`cannot write a file there (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
