import type { Dialect } from "../iso8583/dialect.js";
import { EventQueue } from "../link/eventQueue.js";
import { framingByName } from "../link/framingByName.js";
import { Link } from "../link/link.js";
import { memoryTransportPair } from "../link/memoryTransport.js";
import { SCENARIO_EPOCH } from "../scenario/epoch.js";
import type { TerminalTarget } from "../scenario/target.js";
import { VirtualClock } from "../link/virtualClock.js";
import { terminalBug } from "../sim/terminal/bugs.js";
import { ReferenceTerminal } from "../sim/terminal/referenceTerminal.js";
import { memoryStateStore } from "../sim/terminal/stateStore.js";
import type { ReferenceTerminalOptions } from "../sim/terminal/terminalOptions.js";
import { controlResultOf, ecrCommandOf } from "./ecrCommands.js";
import { resultBy, type ControlResult, type TerminalCommand, type TerminalControl } from "../scenario/terminalControl.js";

export interface ReferenceTerminalTargetOptions {
  /** A seeded bug (see TERMINAL_BUGS); checked now, so a bad name fails before the run. */
  bug?: string;
  /** Terminal ID; default the reference terminal's (TERM0001). */
  tid?: string;
  /** Merchant ID and terminal master key; default the simulators'. */
  mid?: string;
  tmk?: Buffer;
  responseTimeoutMs?: number;
  reversalAttempts?: number;
}

/**
 * The built-in reference terminal, in-process: a fresh terminal per scenario on a virtual clock,
 * its connections to the kit made of memory links, its state in a memory store. Its control
 * hands commands straight to `execute`; a restart closes it and opens a new one on the same
 * store, as a power cycle would.
 */
export function referenceTerminalTarget(dialect: Dialect, o: ReferenceTerminalTargetOptions = {}): TerminalTarget {
  const bug = o.bug === undefined ? undefined : terminalBug(o.bug).name;
  return {
    role: "terminal",
    description: `in-process reference terminal${bug ? ` with bug ${bug}` : ""}`,
    realTime: false,
    async open() {
      const clock = new VirtualClock();
      clock.start();
      const framing = framingByName(dialect.table.framing);
      const incoming = new EventQueue<Link>(clock);
      const options: ReferenceTerminalOptions = {
        dialect,
        clock,
        epoch: SCENARIO_EPOCH,
        store: memoryStateStore(),
        bug,
        tid: o.tid,
        mid: o.mid,
        tmk: o.tmk,
        responseTimeoutMs: o.responseTimeoutMs,
        reversalAttempts: o.reversalAttempts,
        async connect() {
          const [terminalEnd, kitEnd] = memoryTransportPair(["terminal", "kit"]);
          incoming.push(new Link(kitEnd, { framing, clock }));
          return new Link(terminalEnd, { framing, clock });
        },
      };
      const control = new InProcessControl(() => ReferenceTerminal.open(options), clock);
      await control.ready();
      return {
        clock,
        accept: ({ deadlineMs }) => incoming.next(deadlineMs),
        control,
        async close() {
          await control.close();
          incoming.close("the scenario is over");
          clock.stop();
        },
      };
    },
  };
}

/** Controls a reference terminal in the same process: commands are calls, a restart is a reopen. */
class InProcessControl implements TerminalControl {
  readonly description = "in-process";
  readonly drives = true;
  readonly canRestart = true;
  private terminal: Promise<ReferenceTerminal>;

  constructor(
    private readonly open: () => Promise<ReferenceTerminal>,
    private readonly clock: VirtualClock,
  ) {
    this.terminal = open();
  }

  async ready(): Promise<void> {
    await this.terminal;
  }

  async perform(command: TerminalCommand, { deadlineMs }: { deadlineMs: number }): Promise<ControlResult> {
    const terminal = await this.terminal;
    return resultBy(terminal.execute(ecrCommandOf(command)).then(controlResultOf), deadlineMs, this.clock);
  }

  async restart(): Promise<void> {
    // A reopen is immediate in memory: no deadline to keep.
    await (await this.terminal).close();
    this.terminal = this.open();
    await this.terminal;
  }

  async close(): Promise<void> {
    await (await this.terminal).close();
  }
}
