// fast-check arbitraries for isoconf's inputs: messages, cards, amounts, faults, scenarios.
export { message, fieldValue, type MessageConstraints } from "./message.js";
export { card, TEST_BINS, type CardConstraints } from "./card.js";
export { amount, DEFAULT_AMOUNT_BOUNDARIES, type AmountConstraints } from "./amount.js";
export { hostFault, DEFAULT_HOST_FAULT_WEIGHTS, type HostFaultWeights } from "./fault.js";
export { hostScenario, DEFAULT_OPERATION_WEIGHTS, type HostScenarioConstraints, type OperationWeights } from "./hostScenario.js";
export { terminalFault, DEFAULT_TERMINAL_FAULT_WEIGHTS, DEFAULT_DECLINE_CODES, type TerminalFaultWeights, type TerminalFaultConstraints } from "./terminalFault.js";
export { terminalScenario, DEFAULT_TERMINAL_OPERATION_WEIGHTS, type TerminalScenarioConstraints, type TerminalOperationWeights } from "./terminalScenario.js";
