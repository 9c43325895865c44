import type { Suite } from "../../src/runner/property.js";
import { T_ECHO_1 } from "./echo.js";
import { T_FMT_1 } from "./fmt.js";
import { T_RC_1 } from "./rc.js";
import { T_REV_1, T_REV_2, T_REV_3, T_REV_4 } from "./rev.js";
import { T_SET_1 } from "./set.js";

/** The terminal conformance suite: isoconf plays the host. Order is the catalogue's. */
export const terminalSuite: Suite = {
  name: "terminal",
  role: "terminal",
  properties: [T_FMT_1, T_REV_1, T_REV_2, T_REV_3, T_REV_4, T_ECHO_1, T_RC_1, T_SET_1],
};
