import type { Dialect } from "../../iso8583/dialect.js";
import { type FramingSpec, framingByName } from "../../link/framingByName.js";
import type { Link } from "../../link/link.js";
import { LinkError, reasons } from "../../link/linkError.js";
import { parseEndpoint } from "../../link/parseEndpoint.js";
import { tcpListen } from "../../link/tcpListen.js";
import type { HostOptions } from "./hostOptions.js";
import { hostFraming } from "./chunkBugFraming.js";
import { ReferenceHost } from "./referenceHost.js";
import { serveLink, type ServeLinkOptions } from "./serveLink.js";

export interface HostServerOptions extends HostOptions, ServeLinkOptions {
  dialect: Dialect;
  /** `tcp://HOST:PORT`; port 0 picks a free one. Default `tcp://127.0.0.1:0`: this machine only. */
  listen?: string;
  /** A framing (`framingByName`) other than the dialect's, as terminals in the field use. */
  framing?: string | FramingSpec;
}

export interface HostServer {
  /** Where it listens, with the real port: `tcp://127.0.0.1:50123`. */
  readonly url: string;
  readonly host: ReferenceHost;
  /** Stops listening and closes every connection, dropping answers still held back. */
  close(): Promise<void>;
}

/**
 * Runs a reference host on TCP: every terminal that connects is served on its own connection,
 * all against one set of books. The framing is the dialect's own (`framing` in its table) unless
 * `framing` names another.
 */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const { dialect, listen = "tcp://127.0.0.1:0", framing = dialect.table.framing, log, idleMs, ...hostOptions } = options;
  const endpoint = parseEndpoint(listen);
  if (endpoint.kind !== "tcp") throw new LinkError("invalid_config", reasons.badEndpoint(listen, "the reference host listens on TCP: expected tcp://HOST:PORT"));
  const host = new ReferenceHost(dialect, hostOptions);
  const listener = await tcpListen({ host: endpoint.host, port: endpoint.port, framing: hostFraming(framingByName(framing), host.options.bug), clock: host.clock });
  const serving = new Set<Promise<void>>();
  // Accepting can fail after start (e.g. out of file descriptors); connections already open carry on.
  listener.on("error", (error) => log?.(`listener error: ${error.message}`));
  listener.on("connect", (link: Link) => {
    log?.(`${link.id} connected from ${link.peer}`);
    const served = serveLink(host, link, { log, idleMs }).finally(() => serving.delete(served));
    serving.add(served);
  });
  const { host: address, port } = listener.address();
  return {
    url: `tcp://${address.includes(":") ? `[${address}]` : address}:${port}`,
    host,
    async close() {
      await listener.close();
      await Promise.all(serving);
    },
  };
}
