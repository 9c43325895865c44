/** ANSI colours for the console, and whether to use them; with colour off every helper returns its text unchanged. */

// Each style closes with its own reset (39 colour, 22 weight) rather than 0, so styles nest.
const STYLES = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] } as const;

export type Style = keyof typeof STYLES;
export type Palette = Record<Style, (text: string) => string>;

const plain = (text: string): string => text;
const PLAIN: Palette = { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };

const sgr = ([on, off]: readonly [number, number]) => (text: string): string => (text === "" ? "" : `\x1b[${on}m${text}\x1b[${off}m`);
const COLOURED: Palette = { red: sgr(STYLES.red), green: sgr(STYLES.green), yellow: sgr(STYLES.yellow), cyan: sgr(STYLES.cyan), dim: sgr(STYLES.dim), bold: sgr(STYLES.bold) };

export const palette = (colour: boolean): Palette => (colour ? COLOURED : PLAIN);

/**
 * Whether to colour what goes to `stream`: never with NO_COLOR (https://no-color.org), always with
 * FORCE_COLOR (CI log viewers render colour but are no TTY; "0" and "false" mean off, as in
 * Node), otherwise only on a terminal, so a redirected log file holds no escape codes.
 */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true;
}
