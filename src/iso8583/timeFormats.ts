import type { DialectTable, FieldTable } from "./dialectTable.js";

/**
 * The dates and times the kit and its reference SUTs write: field 7 (transmission), 12 (local
 * time, or date and time in ISO 8583:1993) and 13 (local date). A field's form is its record's
 * `time_format`, else the one its length leaves no doubt about: n6 field 12 is hhmmss, n12
 * YYMMDDhhmmss.
 */
export const TIME_FIELDS = ["7", "12", "13"] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

const BY_LENGTH: Record<TimeField, Record<number, string>> = {
  "7": { 10: "MMDDhhmmss" },
  "12": { 6: "hhmmss", 12: "YYMMDDhhmmss", 14: "CCYYMMDDhhmmss" },
  "13": { 4: "MMDD", 6: "YYMMDD", 8: "CCYYMMDD" },
};

/** The parts a `time_format` is made of, each with its width. */
export const TIME_FORMAT = /^(?:CCYY|YY|MM|DD|hh|mm|ss)+$/;
const PARTS = /CCYY|YY|MM|DD|hh|mm|ss/g;

/** The form of a time field as its record declares it or its length implies; undefined when neither says. */
export function timeFormatOf(field: FieldTable, key: TimeField): string | undefined {
  return field.time_format ?? (field.length_type === "fixed" ? BY_LENGTH[key][field.max_length] : undefined);
}

/** The second last formatted, and its text in each format asked for: a run formats one second many times over. */
let cachedSecond = NaN;
const cachedTexts = new Map<string, string>();

/** `now` (UTC) in a `time_format`: `YYMMDDhhmmss` → `260115093000`. */
export function formatTime(now: Date, format: string): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTexts.clear();
  }
  let text = cachedTexts.get(format);
  if (text === undefined) cachedTexts.set(format, (text = formatted(now, format)));
  return text;
}

function formatted(now: Date, format: string): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const parts: Record<string, string> = {
    CCYY: String(now.getUTCFullYear()).padStart(4, "0"),
    YY: two(now.getUTCFullYear() % 100),
    MM: two(now.getUTCMonth() + 1),
    DD: two(now.getUTCDate()),
    hh: two(now.getUTCHours()),
    mm: two(now.getUTCMinutes()),
    ss: two(now.getUTCSeconds()),
  };
  return format.replace(PARTS, (p) => parts[p]);
}

/**
 * What stops the kit writing a dialect's time fields, as `path: text`: a form it cannot tell, one
 * that does not fill the field, or a field 7 other than MMDDhhmmss (field 90 carries it whole).
 */
export function timeFieldProblems(table: DialectTable): string[] {
  const out: string[] = [];
  table.fields.forEach((f, i) => {
    const key = String(f.number) as TimeField;
    if (!(TIME_FIELDS as readonly string[]).includes(key)) return;
    const path = `fields[${i}] (field ${key})`;
    const format = timeFormatOf(f, key);
    if (format === undefined) {
      out.push(`${path}: isoconf cannot tell what a ${f.length_type} ${f.max_length}-digit field ${key} holds: declare its time_format (e.g. "${Object.values(BY_LENGTH[key])[0]}")`);
      return;
    }
    const width = formatTime(new Date(0), format).length;
    if (f.length_type === "fixed" && width !== f.max_length) out.push(`${path}.time_format: ${format} is ${width} digits, the field ${f.max_length}`);
    if (key === "7" && format !== "MMDDhhmmss") out.push(`${path}.time_format: field 7 must be MMDDhhmmss, as field 90 carries it in reversals, got ${format}`);
  });
  return out;
}
