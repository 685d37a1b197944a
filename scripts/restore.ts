#!/usr/bin/env tsx
// Restores a dump from S3 into a new database, verified end to end (seed 003 §C, seed 000 §3-4).
import { availableParallelism } from "node:os";
import { positiveInt, runCli } from "../workers/cli";
import { UsageError } from "../workers/errors";
import { parseDatabaseUrl } from "../workers/postgres-connection";
import { restore, type RestoreRecord } from "../workers/restore";
import { createS3Client } from "../workers/s3-client";
import { parseS3Location } from "../workers/s3-location";

const usage = `
npm run restore -- --from s3://bucket/prefix[/dump] --to <postgresql-url> [options]

Finds the dump and its manifest, downloads it with the sha256 checked in flight, and refuses to
restore a dump that fails its checksum, a target that is not empty (unless --force), or a target
that is the database the dump was taken from (always). Then pg_restore -j N --no-owner, and the
row counts are compared with the manifest.

  --from S3URL      a dump key, or a prefix holding dumps (with --latest: the newest)
  --to URL          target database (created if missing; the password is never printed)
  --latest          pick the newest dump under the prefix (by snapshot time in the manifest)
  --jobs N          pg_restore parallel jobs (default: number of CPUs)
  --tables a,b      restore only these tables (definition and data, like pg_restore --table)
  --role R          pg_restore --role (objects are created as this role)
  --force           restore into a non-empty target: drops and recreates the dump's objects
  --dry-run         check everything (dump, checksum, target reachable and empty); change nothing
  --work-dir DIR    where the dump is staged (default: the OS temp dir)
  --json            print one JSON record on stdout (summary on stderr)
  --help            this text

Exit: 0 restored and verified, 1 refused or failed, 2 bad usage.
`;

function summary(r: RestoreRecord): string {
  const lines = [
    `${r.dryRun ? "dry run: would restore" : r.ok ? "restored" : "restore FAILED"} ${r.dump} → ${r.target}`,
    `  dump taken ${r.dumpTakenAt} from ${r.source}, sha256 ${r.sha256.slice(0, 16)}… (${(r.sizes.downloadedBytes / 1024 / 1024).toFixed(1)} MB)`,
    `  phases: ${Object.entries(r.durationsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}`,
  ];
  if (r.rowCounts.length > 0) {
    const bad = r.rowCounts.filter((c) => !c.ok);
    lines.push(`  row counts: ${r.rowCounts.length - bad.length}/${r.rowCounts.length} tables match the manifest`);
  }
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join("\n");
}

void runCli(
  {
    usage,
    strings: ["from", "to", "jobs", "tables", "role", "work-dir"],
    booleans: ["latest", "force", "dry-run"],
  },
  async (args) => {
    const from = parseS3Location("--from", args.from);
    const to = parseDatabaseUrl("--to", args.to);
    const jobs = positiveInt("--jobs", args.jobs, availableParallelism(), 64);
    const tables = typeof args.tables === "string" && args.tables !== "" ? args.tables.split(",").map((t) => t.trim()) : [];
    for (const t of tables) {
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(t)) {
        throw new UsageError("--tables", `"${t}" is not a table name; give plain names separated by commas, e.g. --tables users,orders`);
      }
    }
    return restore(createS3Client(), {
      from,
      to,
      latest: Boolean(args.latest),
      jobs,
      tables,
      force: Boolean(args.force),
      dryRun: Boolean(args["dry-run"]),
      role: typeof args.role === "string" && args.role !== "" ? args.role : undefined,
      showProgress: true,
      workDir: typeof args["work-dir"] === "string" && args["work-dir"] !== "" ? args["work-dir"] : undefined,
    });
  },
  summary,
);
