import type { DeframeError } from "../../link/framing.js";
import type { Link } from "../../link/link.js";
import { maskMessage } from "../../trace/mask.js";
import type { HostTurn, ReferenceHost } from "./referenceHost.js";

export interface ServeLinkOptions {
  /** Called with one line per frame received (card data masked), per framing error and at the close. */
  log?: (line: string) => void;
  /** A connection silent this long is closed, as hosts drop idle terminals. Default 10 minutes. */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 10 * 60_000;

/** How often a host that signs on itself sends its sign-on again while nobody answers it. */
export const SIGN_ON_RETRY_MS = 3_000;

/** One log line: the request's MTI, operation keys and card (masked), then the answer. */
export function describeTurn(turn: HostTurn): string {
  const r = turn.request === undefined ? undefined : maskMessage(turn.request);
  const f = r?.fields ?? {};
  const request = r === undefined ? "(undecodable)" : [r.mti || "(no MTI)", f["41"], f["11"], f["3"], f["2"], f["4"]].filter((v) => v !== undefined).join(" ");
  const answer = turn.reply === undefined ? "no answer" : `${turn.reply.message.mti} ${turn.reply.message.fields["39"] ?? ""}`;
  return `${request} -> ${answer}: ${turn.outcome}`;
}

/** Per host, the connection that last brought a frame: where the `crossed-answers` bug writes its answers. */
const lastReader = new WeakMap<ReferenceHost, Link>();

/**
 * Serves one connection until it closes or falls idle: each frame goes to the host, and its
 * answer goes back, after the answer's delay on the host's clock. A delayed answer does not
 * hold up the next request; answers due at the same time leave in the order they were decided.
 */
export async function serveLink(host: ReferenceHost, link: Link, options: ServeLinkOptions = {}): Promise<void> {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const held = new Set<() => void>();
  // A send fails only when the link is closing; the receive loop sees that and ends.
  const send = (frame: Buffer, on = link) => void on.send(frame).catch(() => undefined);
  const crossed = host.options.bug === "crossed-answers";
  // Only the reason and the offset: the bytes of a bad frame may hold card data.
  const onError = (e: DeframeError) => options.log?.(`${link.id} framing error at byte ${e.offset}: ${e.reason}${e.fatal ? " (the connection is closed)" : ""}`);
  link.on("error", onError);
  // A host that signs on itself serves nothing on a link before its sign-on is answered: what
  // comes first waits, and the sign-on goes again every SIGN_ON_RETRY_MS until answered.
  const signOn = host.signOnRequest();
  let early: Buffer[] | undefined;
  let stopRetrying: (() => void) | undefined;
  if (signOn !== undefined) {
    early = [];
    const retry = () => {
      send(signOn.frame);
      stopRetrying = host.clock.setTimer(SIGN_ON_RETRY_MS, retry);
    };
    retry();
  }
  try {
    for (;;) {
      const got = await link.receive({ deadlineMs: idleMs });
      if (got.kind === "closed") {
        options.log?.(`${link.id} closed: ${link.closeReason ?? "closed"}`);
        return;
      }
      if (got.kind === "timeout") {
        options.log?.(`${link.id} idle for ${idleMs} ms: closing`);
        return;
      }
      lastReader.set(host, link);
      if (early !== undefined) {
        if (!signOn!.answeredBy(got.body)) {
          early.push(got.body);
          continue;
        }
        options.log?.(`${link.id} the host's sign-on was answered`);
        stopRetrying?.();
        stopRetrying = undefined;
        const waiting = early;
        early = undefined;
        for (const body of waiting) serve(body);
        continue;
      }
      serve(got.body);
      // One request at a time per connection: the next waits while the host works on this one.
      if (host.processingMs > 0) await new Promise<void>((resolve) => host.clock.setTimer(host.processingMs, resolve));
    }
  } finally {
    stopRetrying?.();
    link.off("error", onError);
    for (const cancel of held) cancel();
    await link.close();
  }

  function serve(body: Buffer): void {
    let turn: HostTurn;
    try {
      turn = host.handle(body);
    } catch (e) {
      // A fault in the host itself must not take the connection down with it; it shows as no answer.
      options.log?.(`${link.id} internal error: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    options.log?.(`${link.id} ${describeTurn(turn)}`);
    const reply = turn.reply;
    if (reply === undefined) return;
    // Under crossed-answers the answer goes, once worked out, to whichever connection spoke last:
    // this one only when no other spoke meanwhile.
    const delayMs = crossed ? reply.delayMs + host.processingMs : reply.delayMs;
    const answer = () => send(reply.frame, crossed ? (lastReader.get(host) ?? link) : link);
    if (delayMs === 0) answer();
    else {
      const cancel = host.clock.setTimer(delayMs, () => {
        held.delete(cancel);
        answer();
      });
      held.add(cancel);
    }
  }
}
