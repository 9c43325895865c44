/** A usage problem (a bad flag, option, file or address): the CLI prints it as one line and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
