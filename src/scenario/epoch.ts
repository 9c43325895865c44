/** Wall time at clock zero for in-process runs: fixed, so a replay sends the very same bytes. */
export const SCENARIO_EPOCH = new Date(Date.UTC(2026, 0, 15, 9, 30, 0));

/** The wall time at clock zero: the fixed epoch in process, the real one (clock zero was `clockNow` ago) against a real SUT. */
export const epochFor = (realTime: boolean, clockNow: number): Date => (realTime ? new Date(Date.now() - clockNow) : SCENARIO_EPOCH);
