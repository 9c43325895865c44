import { responseCodeInfo } from "../src/iso8583/responseCodes.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { decodeWorkingKeys, operationRule, responseMti, rulesOf } from "../src/protocol/index.js";
import type { HostScenario, Scenario, TerminalScenario } from "../src/scenario/scenario.js";
import type { Target } from "../src/scenario/target.js";
import { detailOf, messageOf, type TraceEvent } from "../src/trace/traceEvent.js";
import type { KitIdentity } from "./kitIdentity.js";
import { UsageError } from "./usageError.js";

/**
 * One connection before the run: an address nobody answers on is a setup mistake (exit 2), not
 * ten properties failing. Once the run is under way, a refused connection is the SUT's failure.
 */
export async function checkReachable(target: Target): Promise<void> {
  let sut: Awaited<ReturnType<Target["open"]>>;
  try {
    // Opening runs --reset-cmd: a reset that fails before the run is a setup mistake too.
    sut = await target.open();
  } catch (e) {
    throw new UsageError(`cannot prepare the SUT at ${target.description}: ${(e as Error).message}`);
  }
  try {
    await sut.connect();
  } catch (e) {
    throw new UsageError(`cannot reach the SUT at ${target.description}: ${(e as Error).message}`);
  } finally {
    await sut.close();
  }
}

/**
 * The probe of a host that stopped answering in a scenario (`RunSuiteOptions.probe`): one of the
 * kit's terminals signs on and sends an echo test. An answer to either says the host is back.
 */
export function livenessProbe(kit: KitIdentity): HostScenario {
  return { role: "host", terminals: [kit.terminals[0]], steps: [{ op: "echo", terminal: 0 }] };
}

/**
 * A sign-on by every terminal the kit plays, run before the search (`RunSuiteOptions.before`).
 * A host that does not know the terminals or holds another master key refuses everything after,
 * and most properties would pass over nothing: a setup mistake, stopped here with what to check
 * (exit 2). So is an answer without field 39, which leaves the kit unable to tell an approval.
 * So is a sign-on left unanswered by a host that sent one of its own: it needs `sign_on: host`.
 * Any other sign-on left unanswered is not stopped here (H-MTI-1 reports it as the failure it is), but
 * `notice` says the cause the trace shows: no answer within the timeout, or the host closing the
 * connection, and how soon.
 */
export function signOnCheck(dialect: Dialect, kit: KitIdentity, notice: (text: string) => void = () => {}): { scenario: HostScenario; check(trace: TraceEvent[], scenario: Scenario): void } {
  const scenario: HostScenario = { role: "host", terminals: kit.terminals, steps: kit.terminals.map((_, terminal) => ({ op: "signon" as const, terminal })) };
  const signOnMti = operationRule(dialect, "signon").mti;
  const answerMti = responseMti(signOnMti);
  return {
    scenario,
    // The scenario as it ran: in a lane, its terminals are the lane's.
    check(trace, ran) {
      for (const tid of ran.role === "host" ? ran.terminals : kit.terminals) {
        const request = trace.find((e) => e.dir === "kit→sut" && messageOf(e)?.mti === signOnMti && messageOf(e)?.fields["41"] === tid);
        // Its answer is the next one on its connection (matched by connection, not by field 41,
        // which a host may fail to echo: H-ECHO-1's business).
        const found = request && trace.find((e) => e.seq > request.seq && e.dir === "sut→kit" && e.conn === request.conn && messageOf(e)?.mti === answerMti);
        const answer = found && messageOf(found);
        if (request !== undefined && answer === undefined) {
          // A host that signs on itself waits for its own sign-on's answer and serves nothing before.
          const own = trace.find((e) => e.dir === "sut→kit" && messageOf(e)?.mti === signOnMti);
          if (own !== undefined) {
            throw new UsageError(
              `the host sent a sign-on of its own (${signOnMti}) and left ${tid}'s unanswered: a host that signs on itself needs "sign_on": "host" in its dialect's transactions "profile" (the kit then answers it)`,
            );
          }
          notice(`note: ${tid}'s sign-on (${signOnMti}) ${unansweredBecause(trace, request)}; the run goes on, and H-MTI-1 will say so`);
          continue;
        }
        if (answer === undefined) continue;
        const code = answer.fields["39"];
        if (code === undefined) {
          throw new UsageError(
            `the host answered ${tid}'s sign-on with a ${answerMti} that has no field 39, so the kit cannot tell an approval: check the dialect's field 39, or give its transactions a "profile" with "sign_on": "none" if this host needs no sign-on`,
          );
        }
        // The dialect's own approval code (`000` where its table says so), not a standard's.
        if (code !== rulesOf(dialect).codes.approved) {
          const meaning = responseCodeInfo(code, dialect.table.response_codes)?.en;
          // A lane's terminal is not one the user named: say where it came from.
          const lane = kit.terminals.includes(tid) ? "" : `; ${tid} is a lane's, numbered on from --terminals by --concurrency (and --shard), and the host must know every lane's`;
          throw new UsageError(`the host refused ${tid}'s sign-on with ${code}${meaning ? ` (${meaning})` : ""}: check --terminals and --merchant against the host's registry${lane}`);
        }
        const keys = answer.fields["62"];
        if (dialect.table.mac !== null && keys !== undefined) {
          try {
            decodeWorkingKeys(kit.tmk, keys);
          } catch {
            throw new UsageError(`${tid}'s working keys from the sign-on do not check under the master key (check value ${kit.tmkKcv}): check --tmk`);
          }
        }
      }
    },
  };
}

/** Why a request went unanswered, as the trace shows it: the connection closed (by the host, how soon), or no answer in time. */
function unansweredBecause(trace: readonly TraceEvent[], request: TraceEvent): string {
  const closed = trace.find((e) => e.seq > request.seq && e.kind === "disconnect" && e.conn === request.conn);
  const timedOut = trace.find((e) => e.seq > request.seq && e.kind === "timeout");
  if (closed !== undefined && (timedOut === undefined || closed.seq < timedOut.seq)) {
    const reason = String(detailOf(closed)?.reason ?? "closed");
    return `got no answer: the ${reason === "local close" ? "kit" : "host"} closed the connection ${Math.round(closed.t - request.t)} ms after it (${reason})`;
  }
  const waited = timedOut && detailOf(timedOut)?.waitedMs;
  return `got no answer${waited !== undefined ? ` within ${waited} ms` : ""}`;
}

/**
 * Before a run against a terminal the kit steers: a scenario of no steps (the setup's sign-on and
 * settlement alone), after which every request the terminal sent must name the terminal the kit
 * is the host of (field 41). A terminal set up as another gets 97 for everything, and a run of it
 * judges nothing that matters while it passes.
 */
export function terminalIdCheck(tid: string): { scenario: TerminalScenario; check(trace: TraceEvent[]): void } {
  return {
    scenario: { role: "terminal", steps: [] },
    check(trace) {
      const others = new Set(trace.flatMap((e) => (e.dir === "sut→kit" ? [messageOf(e)?.fields["41"]] : [])).filter((t): t is string => t !== undefined && t !== tid));
      if (others.size === 0) return;
      const [named] = others;
      throw new UsageError(`the terminal sends terminal ID ${[...others].join(", ")} (field 41), and the kit is the host of ${tid}: give --tid ${named}, or set the terminal up as ${tid}`);
    },
  };
}
