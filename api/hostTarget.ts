import type { RecordedTarget } from "../reports/scenarioFile.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { runFraming } from "./runFraming.js";
import { parseEndpoint } from "../src/link/parseEndpoint.js";
import { referenceHostTarget } from "../src/roles/referenceHostTarget.js";
import { listeningHostTarget, tcpHostTarget } from "../src/roles/tcpTargets.js";
import type { Target } from "../src/scenario/target.js";
import type { TerminalConfig } from "../src/sim/host/hostOptions.js";
import type { FileCard } from "../src/scenario/cardFile.js";
import { checkSeededBug } from "./seededBug.js";
import { UsageError } from "./usageError.js";

/** Where a host under test is: `target` (the kit connects), `listen` (the host connects), or neither (the in-process reference host). */
export interface HostTargetArgs {
  target?: string;
  listen?: string;
  bug?: string;
  framing?: string;
  "reset-cmd"?: string;
}

/**
 * The host under test, how to record it in scenario files, and what to release at the end.
 * `registry`: the terminals the built-in reference host knows (default its own); `listenWaitMs`:
 * how long a listening kit waits for each connection the host dials; `cards`: the run's card file,
 * the built-in host's card table.
 */
export async function hostTargetFrom(a: HostTargetArgs, dialect: Dialect, registry?: TerminalConfig[], listenWaitMs?: number, cards?: readonly FileCard[]): Promise<{ target: Target; recorded: RecordedTarget; close?: () => Promise<void> }> {
  if (a.target !== undefined && a.listen !== undefined) throw new UsageError("give --target (the kit connects) or --listen (the host connects), not both");
  const framing = runFraming(a.framing, dialect);
  if (a.target !== undefined || a.listen !== undefined) {
    if (a.bug !== undefined) throw new UsageError("--bug applies to the built-in reference host only (no --target or --listen)");
    const url = (a.target ?? a.listen)!;
    const ep = parseEndpoint(url);
    if (ep.kind !== "tcp") throw new UsageError(`a host is reached over TCP: expected tcp://HOST:PORT, got ${url}`);
    const options = { framing, resetCommand: a["reset-cmd"] };
    const given = a.framing === undefined ? {} : { framing: a.framing };
    if (a.target !== undefined) return { target: tcpHostTarget(url, options), recorded: { kind: "tcp", url, ...given } };
    // Each further connection a dialling host owes the kit is waited for as long as the first.
    const t = await listeningHostTarget(ep.host, ep.port, { ...options, connectTimeoutMs: listenWaitMs });
    return { target: t, recorded: { kind: "listen", url, ...given }, close: () => t.listener.close() };
  }
  if (a.framing !== undefined || a["reset-cmd"] !== undefined) throw new UsageError("--framing and --reset-cmd apply to a host of your own (--target or --listen); the built-in host runs in-process");
  checkSeededBug("host", a.bug);
  // The built-in host knows the run's cards, as a lab's host knows the cards of its card file.
  return { target: referenceHostTarget(dialect, { bug: a.bug, terminals: registry, cards }), recorded: { kind: "reference", bug: a.bug } };
}
