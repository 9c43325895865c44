// The reference host: a correct ISO 8583 acquirer host with named seeded bugs, served over TCP
// or in-process links.
export { HOST_BUGS, hostBug, type HostBug, type HostBugName } from "./bugs.js";
export { DECLINE_RULES, TRANSACTION_LIMIT, firstDecline, openingBalance, type CardOperation, type CardRequest, type DeclineRule } from "./declineRules.js";
export type { HostSnapshot, TerminalSnapshot, TxnSnapshot, CardAccount } from "./hostLedger.js";
export { DEFAULT_TERMINALS, type DuplicatePolicy, type HostOptions, type TerminalConfig } from "./hostOptions.js";
export { terminalRegistry } from "./terminalRegistry.js";
export { ReferenceHost, type HostReply, type HostTurn } from "./referenceHost.js";
export { serveLink, describeTurn, type ServeLinkOptions } from "./serveLink.js";
export { startHostServer, type HostServer, type HostServerOptions } from "./startHostServer.js";
export { startHostDialer, type HostDialer, type HostDialerOptions } from "./startHostDialer.js";
export { inProcessHost, type InProcessHost } from "./inProcessHost.js";
