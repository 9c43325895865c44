import type { Dialect } from "../../../../src/iso8583/dialect.js";
import { framingByName } from "../../../../src/link/framingByName.js";
import type { Link } from "../../../../src/link/link.js";
import { tcpConnect } from "../../../../src/link/tcpConnect.js";
import type { HostOptions } from "../../../../src/sim/host/hostOptions.js";
import { inProcessHost } from "../../../../src/sim/host/inProcessHost.js";
import { ReferenceHost } from "../../../../src/sim/host/referenceHost.js";
import { startHostServer } from "../../../../src/sim/host/startHostServer.js";

export type TransportKind = "tcp" | "memory";
export const TRANSPORTS: readonly TransportKind[] = ["tcp", "memory"];

/** A reference host and a way to open terminal connections to it, over TCP loopback or in memory. */
export interface HostFixture {
  host: ReferenceHost;
  connect(): Promise<Link>;
  /** Closes the terminals' links and the host; nothing is left listening or open. */
  close(): Promise<void>;
}

export async function hostFixture(dialect: Dialect, transport: TransportKind, options: HostOptions = {}): Promise<HostFixture> {
  const links: Link[] = [];
  const track = (link: Link) => (links.push(link), link);
  const closeLinks = () => Promise.all(links.map((link) => link.close()));
  if (transport === "memory") {
    const p = inProcessHost(new ReferenceHost(dialect, options));
    return { host: p.host, connect: async () => track(await p.connect()), close: async () => (await closeLinks(), await p.close()) };
  }
  const server = await startHostServer({ dialect, ...options });
  const framing = framingByName(dialect.table.framing);
  return {
    host: server.host,
    connect: async () => track(await tcpConnect(server.url, { framing })),
    close: async () => (await closeLinks(), await server.close()),
  };
}
