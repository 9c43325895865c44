// The public API of isoconf, listed by name.
export type { Message, FieldSpan } from "./iso8583/message.js";
export { Iso8583Error, type Iso8583ErrorKind } from "./iso8583/errors.js";
export { loadDialect, loadDialectFile, DialectError, type Dialect } from "./iso8583/dialect.js";
export type { DialectTable, FieldTable } from "./iso8583/dialectTable.js";
export { BUILTIN_DIALECTS, builtinDialect, resolveDialect } from "./iso8583/builtinDialects.js";
export { pack } from "./iso8583/pack.js";
export { unpack } from "./iso8583/unpack.js";
export { computeMac, macInput, keyCheckValue, encryptKey, decryptKey, MAC_ALGORITHMS, type MacAlgorithm } from "./iso8583/mac.js";
export { packWithMac, checkMac } from "./iso8583/macMessage.js";
export { decodeTlv, encodeTlv, tlvToMap, TlvError, EMV_TAG_NAMES, type TlvItem, type TlvInput } from "./iso8583/tlv.js";
export { responseCodeInfo, isApproval, type ResponseCodeInfo, type ResponseCodeTable, type ResponseCategory } from "./iso8583/responseCodes.js";
export { parseCupHeader, formatCupHeader, replyHeader, parseField60, formatField60, PROCESSING_REQUIREMENTS, type CupHeader, type Field60 } from "./iso8583/cup.js";
export { maskMessage, maskPan, maskTrack, MASK_RULES, type MaskRule } from "./trace/mask.js";
export {
  Link,
  Listener,
  LinkError,
  ControlChannel,
  tcpConnect,
  tcpListen,
  serialOpen,
  parseEndpoint,
  framingByName,
  framingNames,
  type Framing,
  type LinkEvent,
  type Transport,
  type Endpoint,
} from "./link/index.js";
export * from "./protocol/index.js";
export { runSuite, selectProperties, KitError, type RunSuiteOptions, type Progress } from "./runner/runSuite.js";
export type { SuiteResult, PropertyResult, Counterexample, Verdict } from "./runner/suiteResult.js";
export { runScenario, checkAll } from "./runner/runScenario.js";
export { SCENARIO_EPOCH } from "./scenario/epoch.js";
export { exchanges, type Exchange, type Requester } from "./runner/exchanges.js";
export type { Property, Suite, Violation, CheckContext } from "./runner/property.js";
export type { Target, OpenTarget, TerminalTarget, OpenTerminalTarget, SutTarget } from "./scenario/target.js";
export {
  describeStep,
  cardPan,
  cardOf,
  type Scenario,
  type HostScenario,
  type HostStep,
  type HostFault,
  type ScenarioCard,
  type TerminalScenario,
  type TerminalStep,
  type TerminalFault,
  type TerminalFaultKind,
  type TerminalOperation,
} from "./scenario/scenario.js";
export { VirtualClock } from "./link/virtualClock.js";
export { realClock, type Clock } from "./link/clock.js";
export { referenceHostTarget } from "./roles/referenceHostTarget.js";
export { tcpHostTarget, listeningHostTarget } from "./roles/tcpTargets.js";
export { KitTerminal } from "./roles/kitTerminal.js";
export { KitHost } from "./roles/kitHost.js";
export { referenceTerminalTarget } from "./roles/referenceTerminalTarget.js";
export { externalTerminalTarget, type TerminalLine } from "./roles/externalTerminalTarget.js";
export type { TerminalControl, TerminalCommand, ControlResult } from "./scenario/terminalControl.js";
export { EcrControl } from "./roles/ecrControl.js";
export * from "./ecr/index.js";
export { ExecControl, EXEC_PLACEHOLDERS, type ExecTemplates } from "./roles/execControl.js";
export { PassiveControl } from "./roles/passiveControl.js";
export { ManualControl } from "./roles/manualControl.js";
export { TraceRecorder } from "./trace/traceRecorder.js";
export { writeTraceJsonl, readTraceJsonl, parseTraceJsonl, TraceFileError } from "./trace/traceFile.js";
export { maskTraceEvent } from "./trace/maskTraceEvent.js";
export { memoryTransportPair } from "./link/memoryTransport.js";
export { ReferenceHost, inProcessHost, startHostServer, HOST_BUGS, DECLINE_RULES } from "./sim/host/index.js";
export { ReferenceTerminal, TERMINAL_BUGS, memoryStateStore, fileStateStore } from "./sim/terminal/index.js";
export type { TraceEvent, Direction, TraceEventKind } from "./trace/traceEvent.js";
export * as defaults from "./sim/defaults.js";
