import type { Dialect } from "../../../../src/iso8583/dialect.js";
import { framingByName } from "../../../../src/link/framingByName.js";
import { Link } from "../../../../src/link/link.js";
import { memoryTransportPair } from "../../../../src/link/memoryTransport.js";
import { VirtualClock } from "../../../../src/link/virtualClock.js";
import { ReferenceTerminal } from "../../../../src/sim/terminal/referenceTerminal.js";
import { memoryStateStore, type StateStore } from "../../../../src/sim/terminal/stateStore.js";
import type { ReferenceTerminalOptions } from "../../../../src/sim/terminal/terminalOptions.js";
import { ScriptedHost } from "./scriptedHost.js";

/** A reference terminal and a scripted host in one process: memory links, virtual time. */
export interface InProcessRig {
  host: ScriptedHost;
  clock: VirtualClock;
  store: StateStore;
  terminal: ReferenceTerminal;
  /** Opens a second terminal on the same store, as a restarted process would. */
  restart(): Promise<ReferenceTerminal>;
  close(): Promise<void>;
}

export async function inProcessRig(dialect: Dialect, options: Partial<ReferenceTerminalOptions> = {}): Promise<InProcessRig> {
  const clock = new VirtualClock();
  clock.start();
  const host = new ScriptedHost(dialect, clock);
  const framing = framingByName(dialect.table.framing);
  const connect = async () => {
    const [hostEnd, terminalEnd] = memoryTransportPair(["host", "terminal"]);
    host.serve(new Link(hostEnd, { framing, clock }));
    return new Link(terminalEnd, { framing, clock });
  };
  const store = options.store ?? memoryStateStore();
  const open = () => ReferenceTerminal.open({ dialect, connect, clock, store, ...options });
  const opened = [await open()];
  return {
    host,
    clock,
    store,
    terminal: opened[0],
    async restart() {
      opened.push(await open());
      return opened[opened.length - 1];
    },
    async close() {
      await Promise.all(opened.map((t) => t.close()));
      clock.stop();
    },
  };
}
