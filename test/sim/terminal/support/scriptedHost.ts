import type { Dialect } from "../../../../src/iso8583/dialect.js";
import { checkMac, packWithMac } from "../../../../src/iso8583/macMessage.js";
import type { FieldSpan, Message } from "../../../../src/iso8583/message.js";
import { pack } from "../../../../src/iso8583/pack.js";
import { unpack } from "../../../../src/iso8583/unpack.js";
import { type Clock, realClock } from "../../../../src/link/clock.js";
import type { Link } from "../../../../src/link/link.js";
import { sendInSegments } from "../../../../src/link/sendInSegments.js";
import { tcpListen } from "../../../../src/link/tcpListen.js";
import { framingByName } from "../../../../src/link/framingByName.js";
import {
  buildResponse,
  encodeWorkingKeys,
  formatBalance,
  isReversal,
  macRequired,
  networkCodeOf,
  operationOf,
  rulesOf,
  settlementReply,
} from "../../../../src/protocol/index.js";
import { DEFAULT_MAK, DEFAULT_TMK } from "../../../../src/sim/defaults.js";

/**
 * How the host reacts to one request. The default is an approval (`{ code: "00" }`).
 * - `code`: answer with this response code;
 * - `fields`: override fields of the answer (a wrong STAN or TID);
 * - `badMac`: corrupt the answer's MAC;
 * - `delayMs`: hold the answer this long (longer than the terminal's timeout: a late answer);
 * - `twice`: send the answer twice, in one write;
 * - `split`: write the answer in three segments, 10 ms apart;
 * - `cutAfter39`: send the answer cut just after field 39, framed to the cut length;
 * - `drop`: never answer; `close`: close the connection instead of answering.
 */
export type Reaction =
  | { code?: string; fields?: Record<string, string>; mti?: string; badMac?: boolean; delayMs?: number; twice?: boolean; split?: boolean; cutAfter39?: boolean }
  | { drop: true }
  | { close: true };

/** A request as the host received it, and whether its MAC verified (`none`: it needs none). */
export interface Received {
  message: Message;
  frame: Buffer;
  mac: "ok" | "bad" | "missing" | "none";
}

/** The MAC key the scripted host hands out at sign-on (odd parity, as DES keys are). */
export const SESSION_MAK = "FEDCBA9876543210";
/** The balance every balance inquiry gets, in minor units. */
export const BALANCE = 123456;

/**
 * A host a test scripts request by request: it answers in order from a queue of reactions, then
 * approves, and records every request it received. It knows only what a terminal's checks
 * need: echoes, codes, RRN and auth code, working keys at sign-on, MACs.
 */
export class ScriptedHost {
  readonly requests: Received[] = [];
  private readonly script: Reaction[] = [];
  private mak: Buffer = Buffer.from(DEFAULT_MAK, "hex");
  private approvals = 0;
  private waiters: Array<() => void> = [];

  constructor(
    readonly dialect: Dialect,
    private readonly clock: Clock = realClock,
  ) {}

  /** Queues reactions for the next requests, in order. */
  react(...reactions: Reaction[]): this {
    this.script.push(...reactions);
    return this;
  }

  /** The requests so far once there are at least `count`; rejects after `deadlineMs`. */
  async received(count: number, deadlineMs = 5000): Promise<Message[]> {
    const until = performance.now() + deadlineMs;
    while (this.requests.length < count) {
      if (performance.now() > until) throw new Error(`the host received ${this.requests.length} requests, expected ${count}: ${this.mtis()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.requests.map((r) => r.message);
  }

  /** The MTIs received so far, with STAN and response code where present: `0200/000001 0400/000001/98`. */
  mtis(): string {
    return this.requests.map(({ message: m }) => [m.mti, m.fields["11"], m.fields["39"]].filter(Boolean).join("/")).join(" ");
  }

  /** Serves requests arriving on `link` until it closes. */
  serve(link: Link): void {
    void (async () => {
      for await (const event of link) {
        if (event.kind === "frame") await this.handle(link, event.body);
      }
    })();
  }

  private async handle(link: Link, frame: Buffer): Promise<void> {
    const message = unpack(this.dialect, frame);
    const mac = macRequired(this.dialect, message) ? checkMac(this.dialect, frame, message, this.mak) : "none";
    this.requests.push({ message, frame, mac });
    for (const wake of this.waiters.splice(0)) wake();
    const reaction = this.script.shift() ?? {};
    if ("drop" in reaction) return;
    if ("close" in reaction) return void link.close();
    const answer = this.answer(message, reaction.code ?? "00", reaction.fields, reaction.mti);
    if (reaction.badMac) answer[answer.length - 1] ^= 0x01;
    if (reaction.delayMs !== undefined) await new Promise<void>((resolve) => this.clock.setTimer(reaction.delayMs!, resolve));
    if (reaction.twice) {
      const once = link.framing.encode(answer);
      await link.sendRaw(Buffer.concat([once, once])).catch(() => undefined);
    } else if (reaction.split) {
      const raw = link.framing.encode(answer);
      await sendInSegments(link, raw, [2, raw.length >> 1], 10).catch(() => undefined);
    } else if (reaction.cutAfter39) {
      const spans: FieldSpan[] = [];
      unpack(this.dialect, answer, spans);
      await link.send(answer.subarray(0, spans.find((x) => x.field === "39")!.end)).catch(() => undefined);
    } else await link.send(answer).catch(() => undefined);
  }

  private answer(request: Message, code: string, overrides: Record<string, string> = {}, mti?: string): Buffer {
    const d = this.dialect;
    const op = operationOf(d, request.mti, request.fields["3"], networkCodeOf(d, request));
    const fields: Record<string, string> = {};
    const approved = code === "00";
    if (approved && op !== "signon" && op !== "settlement" && !isReversal(d, request)) {
      this.approvals++;
      fields["37"] = String(this.approvals).padStart(12, "0");
      fields["38"] = String(100000 + this.approvals);
    }
    let nextMak: Buffer | undefined;
    if (approved && op === "signon" && d.table.mac !== null) {
      nextMak = Buffer.from(SESSION_MAK, "hex");
      fields["62"] = encodeWorkingKeys(Buffer.from(DEFAULT_TMK, "hex"), { pik: Buffer.from(DEFAULT_MAK, "hex"), mak: nextMak });
    }
    if (approved && op === "balance") fields["54"] = formatBalance(rulesOf(d).currency, BALANCE);
    if (op === "settlement") Object.assign(fields, settlementReply(d, request, true));
    const response = buildResponse(d, request, { code, fields: { ...fields, ...overrides, "39": code } });
    if (mti !== undefined) response.mti = mti;
    const frame = macRequired(d, request) ? packWithMac(d, response, this.mak) : pack(d, response);
    if (nextMak) this.mak = nextMak;
    return frame;
  }
}

/** A scripted host listening on TCP at 127.0.0.1, with the dialect's framing. */
export async function listenScriptedHost(dialect: Dialect): Promise<{ host: ScriptedHost; endpoint: string; close(): Promise<void> }> {
  const host = new ScriptedHost(dialect);
  const listener = await tcpListen({ framing: framingByName(dialect.table.framing) });
  listener.on("connect", (link) => host.serve(link));
  return { host, endpoint: `tcp://127.0.0.1:${listener.address().port}`, close: () => listener.close() };
}
