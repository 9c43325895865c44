/**
 * What the reference host and terminal, and the kit playing either side, agree on out of the
 * box, so `isoconf run` against the built-in simulators needs no configuration. Documented in
 * the README; a lab's own SUT gets its values from the config instead.
 */

/** The terminals the kit plays by default, each registered with the reference host. */
export const REGISTERED_TERMINALS = ["TERM0001", "TERM0002", "TERM0003", "TERM0004"] as const;

/**
 * Terminals the reference host knows: TERM0001 to TERM0128, the kit's four in each of up to 32
 * lanes (`run host --concurrency`, which numbers each lane's terminals on from the run's).
 */
export const HOST_REGISTRY: readonly string[] = Array.from({ length: 128 }, (_, i) => `TERM${String(i + 1).padStart(4, "0")}`);

/** A terminal ID no reference host ever registers: requests from it must get the unknown-terminal code. */
export const UNREGISTERED_TERMINAL = "TERM9999";

/** What a host that signs on itself puts in field 41 of its sign-on: the link's, not a terminal's. */
export const HOST_LINK_ID = "HOSTLINK";

/** The merchant every default terminal belongs to. */
export const MERCHANT_ID = "123456789012345";

/**
 * The terminal master key (double-length, hex) every default terminal shares with the host.
 * Sign-on replies carry the working keys in field 62 encrypted under it.
 */
export const DEFAULT_TMK = "0123456789ABCDEFFEDCBA9876543210";

/**
 * The MAC working key (single-length, hex) in force before a terminal's first sign-on; each
 * sign-on replaces it with a fresh one.
 */
export const DEFAULT_MAK = "0123456789ABCDEF";

/** The PIN working key (single-length, hex) before a terminal's first sign-on, as `DEFAULT_MAK` is the MAC key's. */
export const DEFAULT_PIK = "FEDCBA9876543210";

/** The batch a fresh terminal starts in. */
export const FIRST_BATCH = "000001";
