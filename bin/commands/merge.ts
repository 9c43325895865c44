import type { Argv } from "yargs";
import { UsageError } from "../../api/usageError.js";
import { useColour } from "../../reports/ansi.js";
import { renderConsoleSummary } from "../../reports/consoleSummary.js";
import { exitCodeOf } from "../../reports/exitCode.js";
import { mergeShardFolders, ShardMergeError } from "../../reports/mergeShards.js";
import { OutputFolderError } from "../../reports/outputFolder.js";
import { SummaryFileError } from "../../reports/summarySchema.js";

interface MergeArgs {
  folders: string[];
  out?: string;
  dialect?: string;
  mask: boolean;
}

/**
 * Joins the output folders of `run --shard i/n` (one per CI machine) into one report, with the
 * exit code the whole run would have had.
 */
export const mergeCommand = {
  builder: (y: Argv) =>
    y
      .positional("folders", { type: "string", array: true, default: undefined, describe: "the output folder of every shard, in any order" })
      .option("out", { alias: "o", type: "string", requiresArg: true, describe: "output folder (default isoconf-report/<timestamp>-merged)" })
      .option("dialect", { alias: "d", type: "string", requiresArg: true, describe: "the dialect JSON file, when the shards ran under a dialect of your own" })
      .option("mask", { type: "boolean", default: true, describe: "mask card data in every output, also from shards run with --no-mask (--no-mask to leave it)" })
      .example("isoconf merge shard-1 shard-2 shard-3 --out report", "after 'isoconf run host --seed 7 --shard 1/3 --out shard-1' and so on, one per machine")
      .example("isoconf merge isoconf-report/shard-* --dialect ./acme.json", "shards run under a dialect of your own"),
  handler: async (a: MergeArgs): Promise<number> => {
    let merged;
    try {
      merged = await mergeShardFolders(a.folders, { out: a.out, mask: a.mask, dialect: a.dialect });
    } catch (e) {
      // Problems with the folders given, or with the output folder, are the user's to fix: one line, exit 2.
      if (e instanceof ShardMergeError || e instanceof SummaryFileError || e instanceof OutputFolderError) throw new UsageError(e.message);
      throw e;
    }
    const { result, settings, shards, stillMasked, out } = merged;
    const { waivers } = settings;
    const { code, stale } = exitCodeOf(result, waivers);
    process.stdout.write(`merged ${shards.length} shard${shards.length > 1 ? "s" : ""} of seed ${result.seed}: ${shards.map((s) => s.folder).join(", ")}\n`);
    process.stdout.write(renderConsoleSummary(result, out, waivers, { colour: useColour(process.stdout), masked: settings.mask, stale }) + "\n");
    if (stillMasked.length > 0) process.stdout.write(`card data from ${stillMasked.join(", ")} stays masked: ${stillMasked.length > 1 ? "those shards were" : "that shard was"} written masked\n`);
    return code;
  },
};
