/**
 * `fc.oneof` options for every choice in a scenario: a shrunk value may move to an earlier
 * alternative (no fault, the first operation, a registered terminal, a round amount), not only
 * shrink within the one it was drawn from. Counterexamples then read as plainly as they can.
 */
export const CROSS_SHRINK = { withCrossShrink: true } as const;
