/** Bytes per line of a hex dump: the usual 16, in two groups of 8. */
const LINE_BYTES = 16;

/**
 * A trace's hex (two characters a byte, `**` where masked) as a classic dump: offset, bytes,
 * then the printable ASCII (`.` for the rest, `*` for masked bytes), so ASCII fields such as
 * the terminal ID read in place.
 */
export function hexDump(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += LINE_BYTES) {
    const chunk = bytes.slice(at, at + LINE_BYTES);
    const cells = chunk.map((b, i) => (i === 8 ? ` ${b}` : b)).join(" ");
    const ascii = chunk.map((b) => (b === "**" ? "*" : printable(parseInt(b, 16)))).join("");
    lines.push(`${at.toString(16).toUpperCase().padStart(4, "0")}  ${cells.padEnd(LINE_BYTES * 3, " ")} |${ascii}|`);
  }
  return lines.join("\n");
}

const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".");
