import type { Dialect } from "../../../src/iso8583/dialect.js";
import { framingByName } from "../../../src/link/framingByName.js";
import { Link } from "../../../src/link/link.js";
import { memoryTransportPair } from "../../../src/link/memoryTransport.js";
import { VirtualClock } from "../../../src/link/virtualClock.js";
import { SCENARIO_EPOCH } from "../../../src/scenario/epoch.js";
import type { Target } from "../../../src/scenario/target.js";
import { ReferenceHost } from "../../../src/sim/host/referenceHost.js";

/** How long a scripted host's link waits for the kit's next frame before it gives up. */
const IDLE_MS = 120_000;

/**
 * The reference host behind in-memory links that a test serves its own way: `serve` gets each
 * frame the kit sends (and the link, to look at what else is queued and to answer) and decides
 * what goes back, using the host for the answers it does not make up. On a virtual clock. A new
 * host for each scenario, or with `kept` one host (and clock) for every scenario, as a host of
 * one's own keeps its state.
 */
export function scriptedHost(dialect: Dialect, description: string, serve: (host: ReferenceHost, link: Link, body: Buffer) => Promise<void>, { kept = false } = {}): Target {
  const framing = framingByName(dialect.table.framing);
  const fresh = () => {
    const clock = new VirtualClock();
    clock.start();
    return { clock, host: new ReferenceHost(dialect, { clock, epoch: SCENARIO_EPOCH }) };
  };
  const keptOne = kept ? fresh() : undefined;
  return {
    description,
    role: "host",
    realTime: false,
    async open() {
      const { clock, host } = keptOne ?? fresh();
      return {
        clock,
        async connect() {
          const [kitEnd, hostEnd] = memoryTransportPair(["kit", "host"]);
          const hostLink = new Link(hostEnd, { framing, clock });
          void (async () => {
            for (;;) {
              const got = await hostLink.receive({ deadlineMs: IDLE_MS });
              if (got.kind !== "frame") return;
              await serve(host, hostLink, got.body);
            }
          })();
          return new Link(kitEnd, { framing, clock });
        },
        // A kept host's clock runs on: with no timer pending it holds no handle.
        close: async () => (keptOne === undefined ? clock.stop() : undefined),
      };
    },
  };
}
