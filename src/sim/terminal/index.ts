// The reference terminal: a correct POS terminal with named seeded bugs, driven in-process
// (`execute`) or by an ECR over a serial line (`EcrServer` in src/ecr/, isoconf-ecr/1).
export { TERMINAL_BUGS, terminalBug, type TerminalBug, type TerminalBugName } from "./bugs.js";
export { fileStateStore } from "./fileStateStore.js";
export { hostConnector } from "./hostConnector.js";
export { ReferenceTerminal } from "./referenceTerminal.js";
export { memoryStateStore, type StateStore } from "./stateStore.js";
export { DEFAULT_CARD, DEFAULT_RESPONSE_TIMEOUT_MS, type ReferenceTerminalOptions } from "./terminalOptions.js";
export { initialState, batchTotals, STATE_FORMAT, type TerminalState, type PendingReversal, type BatchEntry } from "./terminalState.js";
