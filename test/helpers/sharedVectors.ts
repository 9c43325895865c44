import { readFileSync } from "node:fs";

/** The independent codec vectors, copied into the repository (test/fixtures/vectors/README.md says whence). */
export const VECTORS = new URL("../fixtures/vectors/", import.meta.url);

export interface ValidVector {
  id: string;
  dialect: string;
  mti: string;
  header?: string;
  fields: Record<string, string>;
  hex: string;
}

export interface MalformedVector {
  id: string;
  dialect: string;
  hex: string;
  error_field: string;
  kind: string;
  offset: number;
  note: string;
}

function jsonl<T>(name: string): T[] {
  const text = readFileSync(new URL(name, VECTORS), "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as T);
}

export const VECTOR_DIALECTS = ["iso87ascii", "iso87binary", "cup"] as const;
export const validVectors = (dialect: string) => jsonl<ValidVector>(`${dialect}.valid.jsonl`);
export const malformedVectors = (dialect: string) => jsonl<MalformedVector>(`${dialect}.malformed.jsonl`);
export const sharedDialectTable = (dialect: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`dialects/${dialect}.json`, VECTORS), "utf8"));
