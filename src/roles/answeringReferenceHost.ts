import type { Dialect } from "../iso8583/dialect.js";
import type { Clock } from "../link/clock.js";
import { ReferenceHost } from "../sim/host/referenceHost.js";

/**
 * The reference host that decides the kit's answers to a terminal under test (the scenario's
 * faults go on top, in `AnsweringHost`), with that one terminal registered: its TID, merchant
 * and master key.
 */
export function answeringReferenceHost(dialect: Dialect, o: { clock: Clock; epoch: Date; tid: string; mid: string; tmk: Buffer }): ReferenceHost {
  return new ReferenceHost(dialect, { clock: o.clock, epoch: o.epoch, terminals: [{ tid: o.tid, mid: o.mid, tmk: o.tmk.toString("hex").toUpperCase() }] });
}
