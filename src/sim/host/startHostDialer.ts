import type { Dialect } from "../../iso8583/dialect.js";
import { type FramingSpec, framingByName } from "../../link/framingByName.js";
import { LinkError, reasons } from "../../link/linkError.js";
import { parseEndpoint } from "../../link/parseEndpoint.js";
import { tcpConnect } from "../../link/tcpConnect.js";
import type { HostOptions } from "./hostOptions.js";
import { hostFraming } from "./chunkBugFraming.js";
import { ReferenceHost } from "./referenceHost.js";
import { serveLink, type ServeLinkOptions } from "./serveLink.js";

export interface HostDialerOptions extends HostOptions, ServeLinkOptions {
  dialect: Dialect;
  /** Where the terminals' side listens: `tcp://HOST:PORT`. */
  dial: string;
  framing?: string | FramingSpec;
  /** Wait before dialing again after the link dropped or a dial failed. Default 100 ms. */
  redialMs?: number;
}

export interface HostDialer {
  readonly host: ReferenceHost;
  /** Stops dialing and closes the link. */
  close(): Promise<void>;
}

/**
 * Runs a reference host that dials out, as hosts behind a network access point do: one link to
 * `dial` that carries every terminal, dialed again whenever it drops, all against one set of books.
 */
export function startHostDialer(options: HostDialerOptions): HostDialer {
  const { dialect, dial, framing = dialect.table.framing, log, idleMs, redialMs = 100, ...hostOptions } = options;
  const endpoint = parseEndpoint(dial);
  if (endpoint.kind !== "tcp") throw new LinkError("invalid_config", reasons.badEndpoint(dial, "the reference host dials TCP: expected tcp://HOST:PORT"));
  const host = new ReferenceHost(dialect, hostOptions);
  let stopped = false;
  let wake: (() => void) | undefined;
  let current: Awaited<ReturnType<typeof tcpConnect>> | undefined;
  const pause = () => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, redialMs);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const running = (async () => {
    while (!stopped) {
      try {
        current = await tcpConnect(dial, { framing: hostFraming(framingByName(framing), host.options.bug), clock: host.clock });
        log?.(`${current.id} dialed ${dial}`);
        await serveLink(host, current, { log, idleMs });
      } catch (e) {
        log?.(`cannot dial ${dial}: ${(e as Error).message}`);
      }
      current = undefined;
      if (!stopped) await pause();
    }
  })();
  return {
    host,
    async close() {
      stopped = true;
      wake?.();
      await current?.close();
      await running;
    },
  };
}
