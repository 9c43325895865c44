import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { StateStore } from "./stateStore.js";
import { type TerminalState, terminalStateSchema } from "./terminalState.js";

/**
 * A store in a JSON file, written atomically: the new state goes to a temporary file beside it,
 * is flushed to disk, and replaces the old one by rename, so a kill at any moment leaves either
 * the old state or the new one, never half of each. The file holds card data (the journalled
 * request, the batch's cards) and the MAC key, so it is readable by its owner only.
 */
export function fileStateStore(path: string): StateStore {
  const temporary = `${path}.tmp`;
  // One write at a time: two renames of the same temporary file would race.
  let writing: Promise<void> = Promise.resolve();
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new Error(`cannot read terminal state ${path}: ${(e as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`terminal state ${path} is not JSON: remove it to start afresh`);
      }
      const parsed = terminalStateSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`terminal state ${path} is not a terminal state file (${issue.path.join(".") || "top level"}: ${issue.message}): remove it to start afresh`);
      }
      return parsed.data as TerminalState;
    },
    save(state) {
      const write = writing.then(() =>
        writeAtomically(path, temporary, JSON.stringify(state, null, 2) + "\n").catch((e: NodeJS.ErrnoException) => {
          throw new Error(`cannot write terminal state ${path}: ${e.code ?? e.message}`);
        }),
      );
      writing = write.catch(() => undefined);
      return write;
    },
  };
}

async function writeAtomically(path: string, temporary: string, text: string): Promise<void> {
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(text, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  // The rename itself is durable only once the directory entry is on disk.
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
