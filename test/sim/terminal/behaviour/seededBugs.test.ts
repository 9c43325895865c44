import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDialect } from "../../../../src/iso8583/builtinDialects.js";
import { isReversal, reversedStan } from "../../../../src/protocol/index.js";
import { TERMINAL_BUGS, type TerminalBugName } from "../../../../src/sim/terminal/bugs.js";
import type { EcrResult } from "../../../../src/ecr/ecrProtocol.js";
import { controlResultOf } from "../../../../src/roles/ecrCommands.js";
import { resultBy } from "../../../../src/scenario/terminalControl.js";
import { runCli } from "../../../helpers/cli.js";
import { requireSocat } from "../../../link/support/ptyPair.js";
import { inProcessRig, type InProcessRig } from "../support/inProcess.js";
import { listenScriptedHost } from "../support/scriptedHost.js";
import { TerminalProcess } from "../support/terminalProcess.js";

/**
 * Each seeded bug with a scenario that provokes it and the misbehaviour it must show. The same
 * scenario run on the correct terminal must not show it, so each check proves the bug, not the
 * scenario. Runs in-process (virtual clock, memory links): the CLI's `--bug` switch is checked
 * separately below.
 */
interface BugCase {
  /** What the terminal does wrong, as the check sees it. */
  shows: string;
  scenario(r: InProcessRig): Promise<EcrResult[]>;
  misbehaves(r: InProcessRig, results: EcrResult[]): boolean;
}

const mtis = (r: InProcessRig) => r.host.requests.map((x) => x.message.mti);
const reversals = (r: InProcessRig) => r.host.requests.map((x) => x.message).filter((m) => isReversal(r.host.dialect, m));

/** A sale the host drops, then the next sale. */
async function dropThenSale(r: InProcessRig): Promise<EcrResult[]> {
  r.host.react({ drop: true });
  return [await r.terminal.execute({ cmd: "sale", amount: 500 }), await r.terminal.execute({ cmd: "sale", amount: 600 })];
}

/** A sale the host answers as `reaction` says, then the next sale. */
function answeredThenSale(reaction: Parameters<InProcessRig["host"]["react"]>[0]) {
  return async (r: InProcessRig) => {
    r.host.react(reaction);
    return [await r.terminal.execute({ cmd: "sale", amount: 500 }), await r.terminal.execute({ cmd: "sale", amount: 600 })];
  };
}

const CASES: Record<TerminalBugName, BugCase> = {
  "no-reversal": {
    shows: "an unanswered sale is never reversed",
    scenario: dropThenSale,
    misbehaves: (r) => reversals(r).length === 0,
  },
  "reversal-after-next": {
    shows: "the next sale goes out before the pending reversal",
    scenario: dropThenSale,
    misbehaves: (r) => mtis(r).join(" ") === "0200 0200 0400",
  },
  "double-reversal": {
    shows: "an acknowledged reversal is followed by a second one",
    scenario: dropThenSale,
    misbehaves: (r) => reversals(r).length === 2,
  },
  "reversal-wrong-stan": {
    shows: "the reversal names a STAN other than its original's",
    scenario: dropThenSale,
    misbehaves: (r) => reversedStan(r.host.dialect, reversals(r)[0]) !== r.host.requests[0].message.fields["11"],
  },
  "reversal-no-retry": {
    shows: "an unanswered reversal is not repeated",
    async scenario(r) {
      r.host.react({ drop: true }, { drop: true });
      return [await r.terminal.execute({ cmd: "sale", amount: 500 }), await r.terminal.execute({ cmd: "sale", amount: 600 })];
    },
    misbehaves: (r) => reversals(r).length === 1,
  },
  "reversal-lost-on-restart": {
    shows: "a restart forgets the pending reversal",
    async scenario(r) {
      r.host.react({ drop: true });
      const failed = await r.terminal.execute({ cmd: "sale", amount: 500 });
      await r.terminal.close();
      return [failed, await (await r.restart()).execute({ cmd: "sale", amount: 600 })];
    },
    misbehaves: (r) => reversals(r).length === 0,
  },
  "accept-mismatched-stan": {
    shows: "an answer with another STAN is reported as approved",
    scenario: answeredThenSale({ fields: { "11": "999999" } }),
    misbehaves: (_, results) => results[0].result === "approved",
  },
  "accept-wrong-mti": {
    shows: "an answer with another response MTI (0230 for a 0200) is reported as approved",
    scenario: answeredThenSale({ mti: "0230" }),
    misbehaves: (_, results) => results[0].result === "approved",
  },
  "accept-wrong-tid": {
    shows: "an answer with another terminal ID is reported as approved",
    scenario: answeredThenSale({ fields: { "41": "TERM0002" } }),
    misbehaves: (_, results) => results[0].result === "approved",
  },
  "stan-reuse": {
    shows: "the sale after a decline reuses its STAN",
    scenario: answeredThenSale({ code: "51" }),
    misbehaves: (r) => r.host.requests[0].message.fields["11"] === r.host.requests[1].message.fields["11"],
  },
  "reverse-declined": {
    shows: "a valid decline is reversed",
    scenario: answeredThenSale({ code: "51" }),
    misbehaves: (r) => reversals(r).some((m) => m.fields["39"] === "06"),
  },
  "wrong-reason-code": {
    shows: "a bad MAC is reversed with reason 98 instead of A0",
    scenario: answeredThenSale({ badMac: true }),
    misbehaves: (r) => reversals(r)[0]?.fields["39"] === "98",
  },
  "reads-one-chunk": {
    shows: "an approval written in segments is a failed read, and reversed",
    scenario: answeredThenSale({ split: true }),
    misbehaves: (r, results) => results[0].result !== "approved" && reversals(r).length === 1,
  },
  "hangs-on-close": {
    shows: "after the host closes without answering, the terminal gives no result and never reverses",
    async scenario(r) {
      r.host.react({ close: true });
      // The hang must not hang the test: each command has a deadline on the rig's clock.
      const within = (p: Promise<EcrResult>) => resultBy(p.then(controlResultOf), 200_000, r.clock).then((c): EcrResult => ({ result: c.outcome === "unknown" ? "error" : "approved", message: c.message ?? "" }));
      return [await within(r.terminal.execute({ cmd: "sale", amount: 500 })), await within(r.terminal.execute({ cmd: "sale", amount: 600 }))];
    },
    misbehaves: (r, results) => results.every((x) => /^no result within/.test(x.message ?? "")) && reversals(r).length === 0,
  },
  "takes-truncated-approval": {
    shows: "an answer cut after field 39 = 00 is reported as approved",
    scenario: answeredThenSale({ cutAfter39: true }),
    misbehaves: (_, results) => results[0].result === "approved",
  },
};

describe("reference terminal seeded bugs", () => {
  let rig: InProcessRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  for (const dialectName of ["cup", "iso87ascii"]) {
    const dialect = builtinDialect(dialectName);
    // MAC faults mean nothing in a dialect without a MAC.
    const cases = TERMINAL_BUGS.filter((b) => dialect.table.mac !== null || b.name !== "wrong-reason-code");
    for (const bug of cases) {
      const c = CASES[bug.name];
      it(`${dialectName}: ${bug.name} (${bug.violates.join(", ")}): ${c.shows}, and the correct terminal does not`, async () => {
        for (const seeded of [bug.name, undefined]) {
          const r = (rig = await inProcessRig(dialect, { bug: seeded }));
          const results = await c.scenario(r);
          assert.equal(c.misbehaves(r, results), seeded !== undefined, `${seeded ?? "correct terminal"}: ${r.host.mtis()}\n${JSON.stringify(results)}`);
          await r.close();
          rig = undefined;
        }
      });
    }
  }

  describe("as a process (--bug)", function () {
    this.timeout(20_000);
    before(requireSocat);

    it("--bug list names every bug with the properties it violates", () => {
      const r = runCli(["sim", "terminal", "--bug", "list"]);
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout.trimEnd().split("\n").map((line) => line.split(/ {2,}/));
      assert.deepEqual(rows, TERMINAL_BUGS.map((bug) => [bug.name, bug.violates.join(", "), bug.description]));
    });

    it("--bug reversal-lost-on-restart: after a restart on the same state file, the unanswered sale is never reversed", async () => {
      const { host, endpoint, close } = await listenScriptedHost(builtinDialect("cup"));
      const dir = mkdtempSync(join(tmpdir(), "isoconf-terminal-"));
      const options = { host: endpoint, state: join(dir, "state.json"), timeoutMs: 300, bug: "reversal-lost-on-restart" };
      let terminal: TerminalProcess | undefined;
      try {
        terminal = await TerminalProcess.start(options);
        host.react({ drop: true });
        assert.equal((await terminal.command({ cmd: "sale", amount: 500 })).reversals?.[0].state, "pending");
        await terminal.stop("SIGKILL");
        terminal = await TerminalProcess.start(options);
        assert.equal((await terminal.command({ cmd: "sale", amount: 600 })).result, "approved");
        assert.equal(host.mtis(), "0200/000001 0200/000002");
      } finally {
        await terminal?.stop("SIGKILL");
        await close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
