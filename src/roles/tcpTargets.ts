import { realClock } from "../link/clock.js";
import type { Framing } from "../link/framing.js";
import type { Link } from "../link/link.js";
import { tcpConnect } from "../link/tcpConnect.js";
import { tcpListen, type Listener } from "../link/tcpListen.js";
import { type OpenTarget, type Target, TargetMismatch } from "../scenario/target.js";
import { runResetCommand } from "./runResetCommand.js";

export interface ExternalTargetOptions {
  framing: Framing;
  /** A shell command run before every scenario to reset the SUT (exit 0 = ready). */
  resetCommand?: string;
  /** How long the reset command may take. */
  resetTimeoutMs?: number;
  /** How long a connection may take to come up. */
  connectTimeoutMs?: number;
}

const DEFAULT_RESET_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Tracks a scenario's links so closing the scenario closes them all. */
function scenarioLinks(open: (links: readonly Link[]) => Promise<Link>): OpenTarget {
  const links: Link[] = [];
  return {
    clock: realClock,
    async connect() {
      const link = await open(links);
      links.push(link);
      return link;
    },
    async close() {
      await Promise.all(links.map((l) => l.close()));
    },
  };
}

/** A host the kit connects to over TCP, on the real clock. */
export function tcpHostTarget(url: string, o: ExternalTargetOptions): Target {
  return {
    description: url,
    role: "host",
    realTime: true,
    async open() {
      await runResetCommand(o.resetCommand, o.resetTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS);
      return scenarioLinks(() => tcpConnect(url, { framing: o.framing, connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS }));
    },
  };
}

/** A listening target: the listener, and the wait for the host's first connection before a run. */
export interface ListeningHostTarget extends Target {
  listener: Listener;
  /**
   * Waits up to `deadlineMs` for the host to dial in, and keeps that connection for the first
   * scenario; false when nobody connected in time (a setup mistake: the run should not start).
   */
  firstConnection(deadlineMs: number): Promise<boolean>;
}

/**
 * A host that dials out: the kit listens, and each connection the kit needs is the host's next
 * one. The listener lives for the whole run; `close` of the target's last user stops it.
 */
export async function listeningHostTarget(host: string, port: number, o: ExternalTargetOptions): Promise<ListeningHostTarget> {
  const listener = await tcpListen({ host, port, framing: o.framing });
  const { port: bound } = listener.address();
  let held: Link | undefined;
  return {
    description: `listening on tcp://${host}:${bound}`,
    role: "host",
    realTime: true,
    listener,
    async firstConnection(deadlineMs) {
      const got = await listener.accept({ deadlineMs });
      if (got.kind !== "connection") return false;
      held = got.link;
      return true;
    },
    async open() {
      await runResetCommand(o.resetCommand, o.resetTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS);
      return scenarioLinks(async (open) => {
        // The connection the wait before the run took, if it is still up.
        const first = held;
        held = undefined;
        if (first !== undefined && first.closeReason === undefined) return first;
        const waitMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
        const got = await listener.accept({ deadlineMs: waitMs });
        if (got.kind === "connection") return got.link;
        if (got.kind === "timeout" && open.some((l) => l.closeReason === undefined)) {
          // One link up and no second one: a host that carries every terminal over one link.
          throw new TargetMismatch(
            `the host keeps one link open and dialled no second one within ${(waitMs / 1000).toFixed(1)} s, so it carries every terminal over one link: give its dialect's transactions a "profile" with "links": "shared"`,
          );
        }
        throw new Error(got.kind === "timeout" ? "the host did not connect in time" : `the listener closed: ${got.reason}`);
      });
    },
  };
}
