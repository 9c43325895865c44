import { framingByName } from "../../link/framingByName.js";
import { Link } from "../../link/link.js";
import { memoryTransportPair } from "../../link/memoryTransport.js";
import { hostFraming } from "./chunkBugFraming.js";
import { ReferenceHost } from "./referenceHost.js";
import { serveLink, type ServeLinkOptions } from "./serveLink.js";

export interface InProcessHost {
  readonly host: ReferenceHost;
  /** A new connection to the host, as a terminal's Link: in memory, on the host's clock. */
  connect(): Promise<Link>;
  /** Closes every connection and waits until each is served out. */
  close(): Promise<void>;
}

/**
 * A reference host reached through in-memory links instead of TCP, so a run on a virtual clock
 * costs no real time and opens no socket.
 */
export function inProcessHost(host: ReferenceHost, options: ServeLinkOptions = {}): InProcessHost {
  const framing = framingByName(host.dialect.table.framing);
  // The host reads through its own framing: a seeded bug may misread how bytes arrive.
  const hostReads = hostFraming(framing, host.options.bug);
  const served = new Map<Link, Promise<void>>();
  return {
    host,
    async connect() {
      const [terminalSide, hostEnd] = memoryTransportPair(["terminal", "host"]);
      const link = new Link(hostEnd, { framing: hostReads, clock: host.clock });
      served.set(link, serveLink(host, link, options).finally(() => served.delete(link)));
      return new Link(terminalSide, { framing, clock: host.clock });
    },
    async close() {
      await Promise.all([...served.keys()].map((link) => link.close()));
      await Promise.all(served.values());
    },
  };
}
