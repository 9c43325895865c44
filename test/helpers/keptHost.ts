import type { Dialect } from "../../src/iso8583/dialect.js";
import { VirtualClock } from "../../src/link/virtualClock.js";
import { SCENARIO_EPOCH } from "../../src/scenario/epoch.js";
import type { Target } from "../../src/scenario/target.js";
import type { HostBugName } from "../../src/sim/host/bugs.js";
import { inProcessHost } from "../../src/sim/host/inProcessHost.js";
import { ReferenceHost } from "../../src/sim/host/referenceHost.js";

/**
 * One reference host kept from scenario to scenario, as a process is, on a virtual clock: a
 * target that keeps its state (`realTime`, so the runner treats it as an external SUT), in-process.
 */
export function keptHostTarget(dialect: Dialect, bug?: string): Target {
  const clock = new VirtualClock();
  clock.start();
  const served = inProcessHost(new ReferenceHost(dialect, { clock, bug: bug as HostBugName | undefined, epoch: SCENARIO_EPOCH }));
  return { description: "one reference host for the run", role: "host", realTime: true, open: async () => ({ clock, connect: () => served.connect(), close: async () => {} }) };
}
