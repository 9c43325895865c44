import type { Dialect } from "../../iso8583/dialect.js";
import type { Clock } from "../../link/clock.js";
import { framingByName } from "../../link/framingByName.js";
import type { Link } from "../../link/link.js";
import { parseEndpoint } from "../../link/parseEndpoint.js";
import { serialOpen } from "../../link/serialOpen.js";
import { tcpConnect } from "../../link/tcpConnect.js";

/**
 * The link factory for a host at `tcp://HOST:PORT` or `serial:PATH?baud=…`, framed as the
 * dialect says (CUP: 2-byte binary length). The endpoint is checked now, not at first use.
 */
export function hostConnector(endpoint: string, dialect: Dialect, clock: Clock): () => Promise<Link> {
  const where = parseEndpoint(endpoint);
  const options = { framing: framingByName(dialect.table.framing), clock };
  if (where.kind === "tcp") return () => tcpConnect(where, options);
  const { kind: _, ...line } = where;
  return () => serialOpen({ ...line, ...options });
}
