import { dialectDigest, loadDialect, loadDialectFile, DialectError, type Dialect } from "./dialect.js";
import cup from "./dialects/cup.json" with { type: "json" };
import iso87ascii from "./dialects/iso87ascii.json" with { type: "json" };
import iso87binary from "./dialects/iso87binary.json" with { type: "json" };

const TABLES: Record<string, unknown> = { cup, iso87ascii, iso87binary };
const compiled = new Map<string, Dialect>();

/** Names of the dialects that ship with isoconf. */
export const BUILTIN_DIALECTS = Object.keys(TABLES);

/** Whether `d` is a built-in dialect as shipped (a file of the same name with changes is not). */
export function isBuiltinDialect(d: Dialect): boolean {
  return Object.hasOwn(TABLES, d.name) && dialectDigest(d) === dialectDigest(builtinDialect(d.name));
}

/** A built-in dialect by name, compiled once. */
export function builtinDialect(name: string): Dialect {
  const table = TABLES[name];
  if (table === undefined) {
    throw new DialectError(`unknown dialect "${name}": built-in dialects are ${BUILTIN_DIALECTS.join(", ")}, or give a path to a dialect JSON file`);
  }
  let d = compiled.get(name);
  if (d === undefined) {
    d = loadDialect(table, `built-in dialect ${name}`);
    compiled.set(name, d);
  }
  return d;
}

/** A built-in dialect name, or a path to a dialect file (anything with a `/` or ending in `.json`). */
export function resolveDialect(nameOrPath: string): Dialect {
  return nameOrPath.includes("/") || nameOrPath.endsWith(".json") ? loadDialectFile(nameOrPath) : builtinDialect(nameOrPath);
}
