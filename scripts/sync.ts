#!/usr/bin/env tsx
// Brings a bucket back from its replica (seed 004 Restore 3B) and/or undeletes (Restore 3A).
import { formatBytesIn } from "./lib/bytes";
import { UsageError, type CommandSpec } from "./lib/cli";
import { JSON_OPTION, positiveInt, runWorker } from "../workers/cli";
import type { SyncRecord } from "../workers/bucket-sync";
import type { UndeleteRecord } from "../workers/undelete";

export const SYNC_COMMAND = {
  usage: [
    "npm run sync -- --from s3://replica[/prefix] --to s3://target[/prefix] [options]",
    "npm run sync -- --to s3://versioned-bucket --undelete-after <ISO time> [--from s3://replica] [options]",
  ],
  description: `Copies every object that is missing or different from --from into --to, server side
(CopyObject; UploadPartCopy for multipart objects), skipping objects already identical
(size + ETag), then reports parity. Safe to rerun after a crash or Ctrl-C: finished objects are
never copied twice. --from is only ever read; objects only in --to are reported, never deleted.`,
  options: {
    from: { type: "string", value: "S3URL", help: "the replica to copy from (read only)" },
    to: { type: "string", value: "S3URL", help: "the bucket to restore into (must differ from --from)" },
    "undelete-after": {
      type: "string",
      value: "ISO",
      help: "first remove the delete markers placed in --to after this time, so\nobjects deleted since then come back (needs versioning on --to)",
    },
    concurrency: { type: "string", value: "N", help: "objects copied at once (default 32)" },
    "dry-run": { type: "boolean", help: "list what would be copied / undeleted; change nothing" },
    json: JSON_OPTION,
  },
  epilogue: "Exit: 0 everything copied and parity exact, 1 any object failed or differs, 2 bad usage.",
} as const satisfies CommandSpec;

interface Combined {
  ok: boolean;
  dryRun: boolean;
  undelete?: UndeleteRecord;
  sync?: SyncRecord;
}

function summary(r: Combined): string {
  const lines: string[] = [];
  const prefix = r.dryRun ? "dry run: " : "";
  if (r.undelete) {
    const u = r.undelete;
    lines.push(`${prefix}undelete in ${u.bucket} (deleted after ${u.after}): ${u.restored.length} object(s) ${r.dryRun ? "would come" : "came"} back`);
    for (const o of u.restored.slice(0, 20)) lines.push(`  ${o.key} (deleted ${o.deletedAt})`);
    if (u.restored.length > 20) lines.push(`  … and ${u.restored.length - 20} more (see --json)`);
    if (u.noEarlierVersion.length > 0) lines.push(`  ${u.noEarlierVersion.length} deleted object(s) have no earlier version to restore`);
    for (const f of u.failed) lines.push(`  FAILED ${f.key}: ${f.error}`);
  }
  if (r.sync) {
    const s = r.sync;
    lines.push(
      `${prefix}sync ${s.from} → ${s.to}: ${r.dryRun ? "would copy" : "copied"} ${r.dryRun ? s.toCopy.objects : s.copied.objects} object(s) ` +
        `(${formatBytesIn(r.dryRun ? s.toCopy.bytes : s.copied.bytes, "MB")}), ${s.skippedIdentical.objects} already identical, ${s.failed.length} failed, ${s.retries} retries`,
    );
    const p = s.parity;
    lines.push(`  parity: source ${p.source.objects} objects / ${formatBytesIn(p.source.bytes, "MB")}, target ${p.target.objects} objects / ${formatBytesIn(p.target.bytes, "MB")} → ${p.exact ? "EXACT" : "DIFFERS"}`);
    if (p.missingInTarget.count) lines.push(`  missing in target: ${p.missingInTarget.count} (${p.missingInTarget.keys.slice(0, 5).join(", ")})`);
    if (p.differentInTarget.count) lines.push(`  different in target: ${p.differentInTarget.count} (${p.differentInTarget.keys.slice(0, 5).join(", ")})`);
    if (p.onlyInTarget.count) lines.push(`  only in target (kept): ${p.onlyInTarget.count}`);
    for (const f of s.failed.slice(0, 20)) lines.push(`  FAILED ${f.key}: ${f.error}`);
    lines.push(`  took ${((s.durationsMs.total ?? 0) / 1000).toFixed(1)} s`);
  }
  return lines.join("\n");
}

runWorker(
  SYNC_COMMAND,
  /* eslint-disable @typescript-eslint/no-require-imports -- runWorker's loader, called after --help is answered */
  () => ({
    ...(require("../workers/bucket-sync") as typeof import("../workers/bucket-sync")),
    ...(require("../workers/undelete") as typeof import("../workers/undelete")),
    ...(require("../workers/s3-client") as typeof import("../workers/s3-client")),
    ...(require("../workers/s3-location") as typeof import("../workers/s3-location")),
    ...(require("../stacks") as typeof import("../stacks")),
    ...(require("./lib/iso-time") as typeof import("./lib/iso-time")),
  }),
  /* eslint-enable @typescript-eslint/no-require-imports */
  async (args, { syncBuckets, validateSyncLocations, undelete, createS3Client, parseS3Location, productionNames, parseIsoTime }) => {
    const to = parseS3Location("--to", args.to);
    const undeleteAfterRaw = args["undelete-after"];
    let undeleteAfter: Date | undefined;
    if (undeleteAfterRaw !== undefined && undeleteAfterRaw !== "") {
      // A zone is required: without one the time would be read in the operator's local zone.
      undeleteAfter = parseIsoTime(undeleteAfterRaw);
      if (undeleteAfter === undefined) {
        throw new UsageError("--undelete-after", `"${undeleteAfterRaw}" is not an ISO 8601 time with a zone; write it like 2026-02-18T14:30:00Z`);
      }
    }
    // Invariant 1: sources, replicas and backups are read, never written, even by hand.
    if (productionNames().has(to.bucket))
      throw new UsageError("--to", `s3://${to.bucket} belongs to production's inventory (a source, replica or backup bucket), which is never written; sync into the restored bucket (e.g. s3://${to.bucket}-recovery)`);
    const from = args.from === undefined && undeleteAfter ? undefined : parseS3Location("--from", args.from);
    if (from) validateSyncLocations(from, to);
    const concurrency = positiveInt("--concurrency", args.concurrency, 32, 512);
    const dryRun = Boolean(args["dry-run"]);
    const s3 = createS3Client({ maxSockets: Math.max(64, concurrency * 2) });
    const result: Combined = { ok: true, dryRun };
    if (undeleteAfter) {
      result.undelete = await undelete(s3, { bucket: to, after: undeleteAfter, dryRun, concurrency });
      result.ok &&= result.undelete.ok;
    }
    if (from) {
      result.sync = await syncBuckets(s3, { from, to, concurrency, dryRun, showProgress: true });
      result.ok &&= result.sync.ok;
    }
    return result;
  },
  summary,
);
