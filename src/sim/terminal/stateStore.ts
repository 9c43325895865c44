import { copyState, type TerminalState } from "./terminalState.js";

/** Where the reference terminal keeps its state: a file for a process, memory in-process. */
export interface StateStore {
  /** The state saved last, or undefined when nothing has been saved yet. */
  load(): Promise<TerminalState | undefined>;
  /** Saves `state`; resolves once it would survive the process being killed. */
  save(state: TerminalState): Promise<void>;
}

/**
 * A store in memory. It keeps a copy, not the caller's object, so a second terminal opened on
 * the same store sees exactly what the first saved: an in-process restart.
 */
export function memoryStateStore(): StateStore {
  let saved: TerminalState | undefined;
  return {
    load: async () => (saved === undefined ? undefined : copyState(saved)),
    save: async (state) => {
      saved = copyState(state);
    },
  };
}
