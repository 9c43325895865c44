import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Suite } from "../src/runner/property.js";
import { UsageError } from "./usageError.js";

const KEYS = ["id", "title", "requirement", "reference", "judges"] as const;

/**
 * A suite of the user's own, from a JavaScript module (`--suite my-suite.mjs`) whose default
 * export (or `suite` export) has the shape of the built-in ones: `{ name, role, properties }`,
 * each property `{ id, title, requirement, reference, judges, role, check(scenario, trace, ctx) }`,
 * its check returning `{ judged, violations }` (how often its rule applied, and how it was broken).
 * Extend a built-in suite by spreading it: `properties: [...hostSuite.properties, MINE]`.
 */
export async function loadSuite(path: string, role: "host" | "terminal"): Promise<Suite> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`--suite ${path}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--suite ${path}: cannot load the module (${(e as Error).message.split("\n")[0]})`);
  }
  const suite = (mod.default ?? mod.suite) as Partial<Suite> | undefined;
  const where = `--suite ${path}`;
  if (typeof suite !== "object" || suite === null) throw new UsageError(`${where}: export a suite as default or as "suite"`);
  if (typeof suite.name !== "string") throw new UsageError(`${where}: the suite needs a string "name"`);
  if (suite.role !== role) throw new UsageError(`${where}: the suite's role is ${JSON.stringify(suite.role)}, expected "${role}"`);
  if (!Array.isArray(suite.properties) || suite.properties.length === 0) throw new UsageError(`${where}: "properties" must be a non-empty array`);
  const ids = new Set<string>();
  suite.properties.forEach((p, i) => {
    for (const k of KEYS) if (typeof p?.[k] !== "string") throw new UsageError(`${where}: properties[${i}].${k} must be a string`);
    if (typeof p.check !== "function") throw new UsageError(`${where}: properties[${i}] (${p.id}).check must be a function`);
    if (p.role !== role) throw new UsageError(`${where}: properties[${i}] (${p.id}).role must be "${role}"`);
    if (ids.has(p.id)) throw new UsageError(`${where}: property ID ${p.id} appears twice`);
    ids.add(p.id);
  });
  return suite as Suite;
}
