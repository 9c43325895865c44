import { setTimeout as sleep } from "node:timers/promises";
import { realClock } from "../link/clock.js";
import type { Closed, Timeout } from "../link/eventQueue.js";
import type { Framing } from "../link/framing.js";
import type { Link } from "../link/link.js";
import { serialOpen, type SerialOpenOptions } from "../link/serialOpen.js";
import { tcpConnect } from "../link/tcpConnect.js";
import type { Listener } from "../link/tcpListen.js";
import type { TerminalTarget } from "../scenario/target.js";
import { runResetCommand } from "./runResetCommand.js";
import type { TerminalControl } from "../scenario/terminalControl.js";

/**
 * Where a terminal's ISO 8583 traffic reaches the kit: it connects to the kit's listener (most
 * terminals dial their host), the kit connects to it, or a serial line carries the frames.
 */
export type TerminalLine =
  | { kind: "listen"; listener: Listener }
  | { kind: "connect"; url: string }
  | { kind: "serial"; line: Omit<SerialOpenOptions, "framing" | "clock"> };

export interface ExternalTerminalTargetOptions {
  line: TerminalLine;
  framing: Framing;
  /** Opened once for the run, shared by its scenarios. */
  control: TerminalControl;
  /** A shell command run before every scenario to reset the terminal (exit 0 = ready). */
  resetCommand?: string;
  resetTimeoutMs?: number;
}

const DEFAULT_RESET_TIMEOUT_MS = 60_000;
/** How often a wait for the terminal's next connection looks whether the scenario is over. */
const POLL_MS = 100;
const CONNECT_TIMEOUT_MS = 2_000;

const describeLine = (l: TerminalLine) =>
  l.kind === "listen" ? `listening on tcp://${l.listener.address().host}:${l.listener.address().port}` : l.kind === "connect" ? l.url : `serial:${l.line.path}`;

/**
 * A terminal outside the kit, on the real clock: before each scenario the reset hook runs; during
 * it the kit serves every connection the terminal makes (or, connecting or over serial, keeps
 * one open, opening it again once it closes); after it those connections are closed, so the
 * terminal starts the next scenario on a new one.
 */
export function externalTerminalTarget(o: ExternalTerminalTargetOptions): TerminalTarget {
  return {
    role: "terminal",
    description: `${describeLine(o.line)}, control ${o.control.description}`,
    realTime: true,
    async open() {
      await runResetCommand(o.resetCommand, o.resetTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS);
      if (o.line.kind === "listen") {
        // Connections made between scenarios may carry requests sent before this trace began,
        // which it could not show: refuse them. The terminal reverses what they held, in this
        // scenario, where the reversal shows.
        for (let got = await o.line.listener.accept({ deadlineMs: 0 }); got.kind === "connection"; got = await o.line.listener.accept({ deadlineMs: 0 })) {
          await got.link.close();
        }
      }
      let over = false;
      const links: Link[] = [];
      let current: Link | undefined;
      const next = async (): Promise<Link | undefined> => {
        if (o.line.kind === "listen") {
          const got = await o.line.listener.accept({ deadlineMs: POLL_MS });
          return got.kind === "connection" ? got.link : undefined;
        }
        // One line at a time: a new one only once the previous has closed.
        if (current !== undefined && current.closeReason === undefined) return void (await sleep(POLL_MS));
        try {
          current =
            o.line.kind === "connect"
              ? await tcpConnect(o.line.url, { framing: o.framing, connectTimeoutMs: CONNECT_TIMEOUT_MS })
              : await serialOpen({ ...o.line.line, framing: o.framing });
          return current;
        } catch {
          // Not there yet (restarting, between calls): try again shortly.
          await sleep(POLL_MS);
          return undefined;
        }
      };
      return {
        clock: realClock,
        async accept({ deadlineMs }): Promise<Link | Timeout | Closed> {
          const until = performance.now() + deadlineMs;
          while (!over) {
            if (performance.now() >= until) return { kind: "timeout" };
            const link = await next();
            if (link === undefined) continue;
            if (over) {
              await link.close();
              break;
            }
            links.push(link);
            return link;
          }
          return { kind: "closed", reason: "the scenario is over" };
        },
        control: o.control,
        async close() {
          over = true;
          await Promise.all(links.map((l) => l.close()));
        },
      };
    },
  };
}
