// isoconf-ecr/1, the control protocol between an ECR (or the kit) and a terminal over a serial
// line: its messages, the ECR's side (`EcrClient`) and the terminal's (`EcrServer`).
export { EcrClient, type EcrClientOptions } from "./ecrClient.js";
export {
  ECR_PROTOCOL,
  parseEcrCommand,
  formatEcrResult,
  resultDeadlineMs,
  type EcrCommand,
  type EcrCommandName,
  type EcrResult,
  type EcrResultFrame,
  type ParsedCommand,
  type ReversalReport,
} from "./ecrProtocol.js";
export { EcrServer, type EcrLog, type EcrTarget } from "./ecrServer.js";
