import type { Suite } from "../../src/runner/property.js";
import { H_BAL_1 } from "./bal.js";
import { H_DUP_1 } from "./dup.js";
import { H_ECHO_1 } from "./echo.js";
import { H_FMT_1, H_FMT_2 } from "./fmt.js";
import { H_LIVE_1 } from "./live.js";
import { H_MTI_1 } from "./mti.js";
import { H_REV_1, H_REV_2 } from "./rev.js";
import { H_RRN_1 } from "./rrn.js";
import { H_SET_1 } from "./set.js";
import { H_TID_1 } from "./tid.js";

/** The host conformance suite: isoconf plays terminals. Order is the catalogue's. */
export const hostSuite: Suite = {
  name: "host",
  role: "host",
  properties: [H_FMT_1, H_FMT_2, H_MTI_1, H_ECHO_1, H_TID_1, H_DUP_1, H_REV_1, H_REV_2, H_SET_1, H_BAL_1, H_LIVE_1, H_RRN_1],
};
