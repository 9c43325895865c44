import { execFile } from "node:child_process";
import { maskPan } from "../trace/mask.js";
import { controlResultOf } from "./ecrCommands.js";
import type { EcrResult } from "../ecr/ecrProtocol.js";
import { TERMINAL_COMMAND_OPS, type ControlResult, type TerminalCommand, type TerminalControl } from "../scenario/terminalControl.js";

/** A command line per operation (`--exec-sale 'mytool sale {amount}'`); an operation without one is not available. */
export type ExecTemplates = Partial<Record<TerminalCommand["op"] | "restart", string>>;

/**
 * Placeholders a template may use. Every value is digits (the track also `=`), so it goes into
 * the shell line as it is; one that does not apply to the operation is empty.
 */
export const EXEC_PLACEHOLDERS = ["amount", "stan", "pan", "expiry", "track2"] as const;

/** Exit codes: 0 approved, 1 declined, 2 failed (no valid answer, or not carried out); anything else unknown. */
const OUTCOME_BY_EXIT: Readonly<Record<number, ControlResult["outcome"]>> = { 0: "approved", 1: "declined", 2: "failed" };

/** Card numbers a tool prints are masked before the kit records its output. */
const maskCardNumbers = (text: string) => text.replace(/\d{12,19}/g, (d) => maskPan(d));

function valuesOf(c: TerminalCommand): Record<(typeof EXEC_PLACEHOLDERS)[number], string> {
  const card = "card" in c ? c.card : undefined;
  return {
    amount: "amount" in c ? String(c.amount) : "",
    stan: "stan" in c && c.stan !== undefined ? c.stan : "",
    pan: card?.pan ?? "",
    expiry: card?.expiry ?? "",
    track2: card?.track2 ?? "",
  };
}

/**
 * The `exec` control adapter: runs the template of each operation through `/bin/sh -c` with its
 * placeholders filled in, and reads the result from the exit code (0 approved, 1 declined, 2
 * failed). A tool that prints an isoconf-ecr/1 result object (one JSON line) gives the kit the
 * response code and STAN too.
 */
export class ExecControl implements TerminalControl {
  readonly description = "exec";
  readonly drives = true;
  readonly canRestart: boolean;
  readonly cannot: readonly TerminalCommand["op"][];

  constructor(private readonly templates: ExecTemplates) {
    for (const [op, template] of Object.entries(templates)) {
      // Only `{word}` is a placeholder: other braces (JSON on a command line) are left alone.
      for (const [, name] of (template ?? "").matchAll(/\{([a-z0-9_]+)\}/g)) {
        if (!(EXEC_PLACEHOLDERS as readonly string[]).includes(name)) {
          throw new Error(`the ${op} command line uses {${name}}: the placeholders are ${EXEC_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`);
        }
      }
    }
    this.canRestart = templates.restart !== undefined;
    this.cannot = TERMINAL_COMMAND_OPS.filter((op) => templates[op] === undefined);
  }

  async perform(command: TerminalCommand, { deadlineMs }: { deadlineMs: number }): Promise<ControlResult> {
    const template = this.templates[command.op];
    if (template === undefined) return { outcome: "unknown", message: `no command line for ${command.op}: not carried out` };
    const values = valuesOf(command);
    const line = template.replace(/\{([a-z0-9_]+)\}/g, (_, name: keyof typeof values) => values[name]);
    const run = await shell(line, deadlineMs);
    if (run.timedOut) return { outcome: "unknown", message: `the command did not finish within ${deadlineMs} ms` };
    const reported = ecrResultIn(run.stdout);
    if (reported !== undefined) return controlResultOf(reported);
    const text = maskCardNumbers((run.stdout.trim() || run.stderr.trim()).split("\n")[0] ?? "").slice(0, 200);
    return { outcome: (run.code !== null && OUTCOME_BY_EXIT[run.code]) || "unknown", message: text || `exit ${run.code}` };
  }

  async restart({ deadlineMs }: { deadlineMs: number }): Promise<void> {
    const run = await shell(this.templates.restart ?? "true", deadlineMs);
    if (run.timedOut || run.code !== 0) throw new Error(`the restart command ${run.timedOut ? `did not finish within ${deadlineMs} ms` : `exited ${run.code}`}`);
  }

  async close(): Promise<void> {}
}

/** The last output line, when it is an isoconf-ecr/1 result object. */
function ecrResultIn(stdout: string): EcrResult | undefined {
  const last = stdout.trim().split("\n").at(-1);
  if (!last?.startsWith("{")) return undefined;
  try {
    const json = JSON.parse(last) as Partial<EcrResult>;
    return json.result === "approved" || json.result === "declined" || json.result === "error" ? (json as EcrResult) : undefined;
  } catch {
    return undefined;
  }
}

function shell(line: string, deadlineMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile("/bin/sh", ["-c", line], { timeout: deadlineMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number | string; killed?: boolean }) | null;
      const code = e === null ? 0 : typeof e.code === "number" ? e.code : null;
      resolve({ code, stdout, stderr, timedOut: e?.killed === true });
    });
  });
}
