import type { RecordedTarget } from "../reports/scenarioFile.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { runFraming } from "./runFraming.js";
import { parseEndpoint } from "../src/link/parseEndpoint.js";
import { tcpListen } from "../src/link/tcpListen.js";
import { EcrControl } from "../src/roles/ecrControl.js";
import { ExecControl, type ExecTemplates } from "../src/roles/execControl.js";
import { externalTerminalTarget, type TerminalLine } from "../src/roles/externalTerminalTarget.js";
import { ManualControl } from "../src/roles/manualControl.js";
import { PassiveControl } from "../src/roles/passiveControl.js";
import { referenceTerminalTarget } from "../src/roles/referenceTerminalTarget.js";
import type { TerminalControl } from "../src/scenario/terminalControl.js";
import type { TerminalTarget } from "../src/scenario/target.js";
import { resultDeadlineMs } from "../src/ecr/ecrProtocol.js";
import { checkSeededBug } from "./seededBug.js";
import { UsageError } from "./usageError.js";

/** The `exec` flags, one per operation the kit may ask for: `--exec-sale 'mytool sale {amount}'`. */
export const EXEC_FLAGS = {
  "exec-sale": "purchase",
  "exec-balance": "balance",
  "exec-void": "void",
  "exec-refund": "refund",
  "exec-settle": "settlement",
  "exec-signon": "signon",
  "exec-restart": "restart",
} as const satisfies Record<string, keyof ExecTemplates>;


export const CONTROLS = ["ecr", "exec", "passive", "manual"] as const;

/** How the kit reaches a terminal under test and steers it: the flags `run terminal` and `replay` share. */
export interface TerminalTargetArgs {
  target?: string;
  listen?: string;
  serial?: string;
  control?: (typeof CONTROLS)[number];
  ecr?: string;
  "restart-cmd"?: string;
  "idle-ms"?: number;
  "exec-sale"?: string;
  "exec-balance"?: string;
  "exec-void"?: string;
  "exec-refund"?: string;
  "exec-settle"?: string;
  "exec-signon"?: string;
  "exec-restart"?: string;
  bug?: string;
  framing?: string;
  "reset-cmd"?: string;
}

/** The flags that say how the kit steers a terminal: recorded in scenario files, so a replay steers it alike. */
export const CONTROL_FLAGS = ["control", "ecr", "restart-cmd", "idle-ms", ...(Object.keys(EXEC_FLAGS) as (keyof typeof EXEC_FLAGS)[])] as const;

function templatesOf(a: TerminalTargetArgs): ExecTemplates {
  const t: ExecTemplates = {};
  for (const [flag, op] of Object.entries(EXEC_FLAGS)) {
    const template = a[flag as keyof typeof EXEC_FLAGS];
    if (template !== undefined) t[op] = template;
  }
  return t;
}

async function controlFrom(a: TerminalTargetArgs, deadlineMs: number): Promise<TerminalControl> {
  const templates = templatesOf(a);
  const control = a.control ?? (a.ecr !== undefined ? "ecr" : Object.keys(templates).length > 0 ? "exec" : undefined);
  if (control === undefined) throw new UsageError("name how the kit steers the terminal: --control ecr --ecr PATH, --control exec --exec-sale CMD …, --control passive or --control manual");
  if (control !== "ecr" && a.ecr !== undefined) throw new UsageError(`--ecr goes with --control ecr, not ${control}`);
  if (control !== "exec" && Object.keys(templates).length > 0) throw new UsageError(`--exec-* flags go with --control exec, not ${control}`);
  switch (control) {
    case "ecr":
      if (a.ecr === undefined) throw new UsageError("--control ecr needs --ecr PATH (the terminal's ECR line)");
      try {
        return await EcrControl.open(a.ecr, { resultDeadlineMs: deadlineMs, restartCommand: a["restart-cmd"] });
      } catch (e) {
        throw new UsageError(`cannot open the ECR line ${a.ecr}: ${(e as Error).message}`);
      }
    case "exec":
      if (templates.purchase === undefined) throw new UsageError("--control exec needs at least --exec-sale");
      if (a["restart-cmd"] !== undefined) throw new UsageError("with --control exec, give the restart as --exec-restart");
      try {
        return new ExecControl(templates);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    case "passive":
      if (a["idle-ms"] !== undefined && !(a["idle-ms"] > 0)) throw new UsageError(`--idle-ms must be above 0, got ${a["idle-ms"]}`);
      return new PassiveControl({ restartCommand: a["restart-cmd"], idleMs: a["idle-ms"] });
    case "manual":
      return new ManualControl();
  }
}

/**
 * The terminal under test, from `--listen`, `--target`, `--serial` or none of them (the
 * in-process reference terminal), with its control adapter, and whether that adapter can restart
 * it. `close` releases the listener and the control line at the end of the run.
 */
export async function terminalTargetFrom(
  a: TerminalTargetArgs,
  dialect: Dialect,
  terminal: { tid: string; responseTimeoutMs: number; reversalAttempts: number; merchant?: string; tmk?: Buffer },
): Promise<{ target: TerminalTarget; recorded: RecordedTarget; canRestart: boolean; cannot?: readonly string[]; steered?: boolean; close?: () => Promise<void> }> {
  const lines = [a.listen, a.target, a.serial].filter((x) => x !== undefined);
  if (lines.length > 1) throw new UsageError("give one of --listen (the terminal connects), --target (the kit connects) and --serial, not several");
  if (lines.length === 0) {
    for (const flag of ["control", "ecr", "restart-cmd", "reset-cmd", ...(Object.keys(EXEC_FLAGS) as (keyof typeof EXEC_FLAGS)[])] as const) {
      if (a[flag] !== undefined) throw new UsageError(`--${flag} steers a terminal of your own: give --listen, --target or --serial too (without them the built-in reference terminal runs in-process)`);
    }
    checkSeededBug("terminal", a.bug);
    try {
      const target = referenceTerminalTarget(dialect, { bug: a.bug, tid: terminal.tid, mid: terminal.merchant, tmk: terminal.tmk, responseTimeoutMs: terminal.responseTimeoutMs, reversalAttempts: terminal.reversalAttempts });
      return { target, recorded: { kind: "reference", bug: a.bug }, canRestart: true };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (a.bug !== undefined) throw new UsageError("--bug applies to the built-in reference terminal only (no --listen, --target or --serial)");
  const framing = runFraming(a.framing, dialect);
  const control = await controlFrom(a, resultDeadlineMs(terminal.responseTimeoutMs, terminal.reversalAttempts));
  let line: TerminalLine;
  let recorded: RecordedTarget;
  let closeLine = async () => {};
  try {
    if (a.serial !== undefined) {
      const ep = parseEndpoint(a.serial.startsWith("serial:") ? a.serial : `serial:${a.serial}`);
      if (ep.kind !== "serial") throw new UsageError(`--serial is a serial line, got ${a.serial}`);
      const { kind: _, ...serial } = ep;
      line = { kind: "serial", line: serial };
      recorded = { kind: "serial", url: a.serial };
    } else {
      const url = (a.listen ?? a.target)!;
      const ep = parseEndpoint(url);
      if (ep.kind !== "tcp") throw new UsageError(`${a.listen ? "--listen" : "--target"} is tcp://HOST:PORT, got ${url}`);
      if (a.target !== undefined) {
        line = { kind: "connect", url };
        recorded = { kind: "tcp", url };
      } else {
        const listener = await tcpListen({ host: ep.host, port: ep.port, framing });
        line = { kind: "listen", listener };
        recorded = { kind: "listen", url };
        closeLine = () => listener.close();
      }
    }
  } catch (e) {
    await control.close();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  const target = externalTerminalTarget({ line, framing, control, resetCommand: a["reset-cmd"] });
  const flags = Object.fromEntries(CONTROL_FLAGS.flatMap((k) => (a[k] === undefined ? [] : [[k, a[k]!]])));
  return {
    target,
    recorded: { ...recorded, ...(a.framing === undefined ? {} : { framing: a.framing }), ...(Object.keys(flags).length > 0 ? { control: flags } : {}) },
    canRestart: control.canRestart,
    cannot: control.cannot,
    // Steered by a program (ecr, exec): not passive, and not an operator asked for more than the run.
    steered: control.drives && control.description !== "manual",
    async close() {
      try {
        await control.close();
      } finally {
        await closeLine();
      }
    },
  };
}
