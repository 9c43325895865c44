import type { Dialect } from "../iso8583/dialect.js";
import { SCENARIO_EPOCH } from "../scenario/epoch.js";
import type { Target } from "../scenario/target.js";
import type { FileCard } from "../scenario/cardFile.js";
import { VirtualClock } from "../link/virtualClock.js";
import { hostBug, type HostBugName } from "../sim/host/bugs.js";
import type { TerminalConfig } from "../sim/host/hostOptions.js";
import { inProcessHost } from "../sim/host/inProcessHost.js";
import { ReferenceHost } from "../sim/host/referenceHost.js";

/**
 * The built-in reference host, in-process: a fresh host per scenario, reached through memory
 * links on a virtual clock, so a 30 s timeout costs nothing and runs are exactly repeatable.
 */
export function referenceHostTarget(dialect: Dialect, o: { bug?: string; terminals?: TerminalConfig[]; cards?: readonly FileCard[] } = {}): Target {
  const bug = o.bug === undefined ? undefined : (hostBug(o.bug).name as HostBugName);
  return {
    description: `in-process reference host${bug ? ` with bug ${bug}` : ""}`,
    role: "host",
    realTime: false,
    async open() {
      const clock = new VirtualClock();
      clock.start();
      const served = inProcessHost(new ReferenceHost(dialect, { clock, bug, epoch: SCENARIO_EPOCH, terminals: o.terminals, cards: o.cards }));
      return {
        clock,
        connect: () => served.connect(),
        async close() {
          await served.close();
          clock.stop();
        },
      };
    },
  };
}
