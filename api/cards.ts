import { CardFileError, type LoadedCards, readCardFile } from "../src/scenario/cardFile.js";
import type { Scenario } from "../src/scenario/scenario.js";
import { UsageError } from "./usageError.js";

/**
 * The card file of a run (`--cards`) or a replay: a replay reads the one its scenario file names,
 * unless given another, and refuses one whose content is not what the run had (the scenario
 * names its cards by their place in the file).
 */
export function cardsFrom(path: string | undefined, recorded?: { file: string; sha256: string }, source?: string): LoadedCards | undefined {
  const file = path ?? recorded?.file;
  if (file === undefined) return undefined;
  let loaded: LoadedCards;
  try {
    loaded = readCardFile(file);
  } catch (e) {
    if (e instanceof CardFileError) throw new UsageError(recorded !== undefined && path === undefined ? `${source}: the run's card file: ${e.message} (give it with --cards)` : e.message);
    throw e;
  }
  if (recorded !== undefined && loaded.sha256 !== recorded.sha256) {
    throw new UsageError(`${source}: the run drew its cards from a card file of SHA-256 ${recorded.sha256.slice(0, 12)}…, and ${file} is another (${loaded.sha256.slice(0, 12)}…): give the run's card file with --cards`);
  }
  return loaded;
}

/** A scenario that names cards of a card file needs that file, with at least that many cards. */
export function checkScenarioCards(scenario: Scenario, cards: readonly unknown[] | undefined, source: string): void {
  const named = scenario.steps.flatMap((st) => (st.card !== undefined && "file" in st.card ? [st.card.file] : []));
  if (named.length === 0) return;
  const most = Math.max(...named) + 1;
  if (cards === undefined) throw new UsageError(`${source}: its steps use cards of a card file, and none is given: give it with --cards`);
  if (most > cards.length) throw new UsageError(`${source}: its steps use card ${most} of a card file that has ${cards.length}`);
}
