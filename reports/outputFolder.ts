import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Why an output folder cannot be used, in one line; thrown before a run starts. */
export class OutputFolderError extends Error {
  override readonly name = "OutputFolderError";
}

/**
 * Checks, making no folder, that `dir` could be made and written: the nearest part of it that
 * exists is a folder a file can be written in (one is, and is removed again). For a folder made
 * only when the report is written, so that a run refused on the way leaves none behind.
 */
export function checkOutputFolder(dir: string): void {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  if (!statSync(at).isDirectory()) throw new OutputFolderError(`cannot write the report to ${dir}: ${at} is a file, not a folder`);
  probeWrite(at, (why) => {
    throw new OutputFolderError(`cannot write the report to ${dir}: cannot write a file in ${at} (${why})`);
  });
}

/** Writes and removes a file in `dir`; `fail` with the reason where that cannot be done. */
function probeWrite(dir: string, fail: (why: string) => never): void {
  const probe = join(dir, `.isoconf-write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (e) {
    fail((e as NodeJS.ErrnoException).code ?? String(e));
  }
}

/**
 * Makes the output folder and proves a file can be written in it, so a bad --out fails before
 * the run rather than after it. Missing levels are made one at a time: Node's recursive mkdir
 * loops for ever under /proc. With `exclusive`, the folder must be new: false, and nothing
 * made, where it exists already (or another process made it a moment ago).
 */
export function makeOutputFolder(dir: string, { exclusive = false } = {}): boolean {
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
  const leaf = resolve(dir);
  if (exclusive && missing[missing.length - 1] !== leaf) return false;
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A parent another run made meanwhile is as good as one made here; the folder itself is not.
      if (code === "EEXIST" && level !== leaf) continue;
      if (code === "EEXIST" && exclusive) return false;
      fail(`cannot make ${level} (${code ?? String(e)})`);
    }
  }
  if (!statSync(dir).isDirectory()) fail("it is a file, not a folder");
  probeWrite(dir, (why) => fail(`cannot write a file there (${why})`));
  return true;
}
