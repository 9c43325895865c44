// The built-in suites, and everything a suite of your own is made of.
export { hostSuite } from "./host/index.js";
export { H_FMT_1 } from "./host/fmt.js";
export { H_MTI_1 } from "./host/mti.js";
export { H_ECHO_1 } from "./host/echo.js";
export { H_TID_1 } from "./host/tid.js";
export { H_DUP_1 } from "./host/dup.js";
export { H_REV_1, H_REV_2 } from "./host/rev.js";
export { H_SET_1 } from "./host/set.js";
export { H_LIVE_1 } from "./host/live.js";
export { H_RRN_1 } from "./host/rrn.js";
export { ledger, type Ledger, type Posting, type Settlement } from "./host/ledger.js";
export { terminalSuite } from "./terminal/index.js";
export { T_FMT_1 } from "./terminal/fmt.js";
export { T_REV_1, T_REV_2, T_REV_3, T_REV_4 } from "./terminal/rev.js";
export { T_ECHO_1 } from "./terminal/echo.js";
export { T_RC_1 } from "./terminal/rc.js";
export { T_SET_1 } from "./terminal/set.js";
export { terminalLedger, type TerminalLedger, type TerminalRequest, type Verdict as AnswerVerdict, type ReversalHistory } from "./terminal/ledger.js";
