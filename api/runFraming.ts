import { type Dialect, stxEtxProblem } from "../src/iso8583/dialect.js";
import type { Framing } from "../src/link/framing.js";
import { framingByName } from "../src/link/framingByName.js";
import { UsageError } from "./usageError.js";

/**
 * The framing of a run against a SUT of its own: `--framing`, else the dialect's (whose own
 * stx-etx the dialect's load has checked). STX/ETX framing over a dialect with binary parts is a
 * usage error: the first frame holding an ETX byte could not be sent.
 */
export function runFraming(flag: string | undefined, dialect: Dialect): Framing {
  const framing = framingByName(flag ?? dialect.table.framing);
  const problem = flag !== undefined && framing.name === "stx-etx" ? stxEtxProblem(dialect.table, "--framing") : undefined;
  if (problem !== undefined) throw new UsageError(problem);
  return framing;
}

/**
 * Whether the run's framing delimits frames. `none` takes each read for one frame, so faults
 * across frame boundaries (a frame in two segments, two in one, half of one) cannot be carried.
 */
export function delimitsFrames(flag: string | undefined, dialect: Dialect): boolean {
  return framingByName(flag ?? dialect.table.framing).name !== "none";
}
