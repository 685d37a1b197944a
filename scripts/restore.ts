#!/usr/bin/env tsx
// Restores a dump from S3 into a new database, verified end to end (seed 003 §C, seed 000 §3-4).
import { availableParallelism } from "node:os";
import { positiveInt, runCli } from "../workers/cli";
import { parseTableList } from "../workers/table-names";
import { parseDatabaseUrl } from "../workers/postgres-connection";
import { restore, type RestoreRecord } from "../workers/restore";
import { createS3Client } from "../workers/s3-client";
import { parseS3Location } from "../workers/s3-location";

const usage = `
npm run restore -- --from s3://bucket/prefix[/dump] --to <postgresql-url> [options]

Finds the dump and its manifest, and refuses a target that is not empty (unless --force), or a
target that is the database the dump was taken from (always), and anything bound to fail (a
server too old, a missing extension or --role) before the first write. Then pg_restore -j N
--no-owner into a staging database <target>__restore_<id> while the dump downloads (sha256 of
every file checked in flight), ANALYZE of every restored table, and the row counts are compared
with the manifest; only when all of it matches is the staging database renamed to the target.
GRANTs to roles the target lacks are skipped and listed. A restore that fails, or is stopped,
drops its staging database and leaves the target as it was.

  --from S3URL      a dump key, or a prefix holding dumps (with --latest: the newest)
  --to URL          target database (created if missing; the password is never printed)
  --latest          pick the newest dump under the prefix (by snapshot time in the manifest)
  --jobs N          pg_restore parallel jobs (default: number of CPUs)
  --tables a,b      restore only these tables, with what they need (types, functions, sequences,
                    partitions) and their foreign keys whose other end is in the target;
                    sales.items, "Order Items", public."Order Items" (a name in two schemas must
                    be qualified); large objects are not part of a partial restore
  --role R          pg_restore --role (objects are created as this role; it must exist)
  --no-acl          restore no privileges (GRANTs), as seed 004's pg_restore --no-acl
  --no-analyze      skip the ANALYZE of the restored tables
  --force           replace a non-empty target as a whole, once the restore is verified
                    (with --tables: drop and recreate those tables' objects in it)
  --dry-run         check everything (dump, checksum, target reachable and empty); change nothing
  --work-dir DIR    where the dump is staged (default: the OS temp dir)
  --json            print one JSON record on stdout (summary on stderr)
  --help            this text

Exit: 0 restored and verified; 1 refused, failed, or incomplete (a partial restore that could
not bring something its tables need, such as a foreign key to a table absent from the target);
2 bad usage; 130/143 stopped by SIGINT/SIGTERM (after dropping the database it created, or
saying what it left).
`;

/** A partial restore whose tables all came back whole but without something they need is incomplete, not failed. */
function headline(r: RestoreRecord): string {
  if (r.dryRun) return r.ok ? "dry run: would restore" : "dry run: would restore INCOMPLETE";
  if (r.ok) return "restored";
  return r.problems.every((p) => p.startsWith("not restored:")) ? "restored INCOMPLETE (exit 1)" : "restore FAILED";
}

function summary(r: RestoreRecord): string {
  const lines = [
    `${headline(r)} ${r.dump} → ${r.target}`,
    `  dump taken ${r.dumpTakenAt} from ${r.source}, sha256 ${r.sha256.slice(0, 16)}… (${(r.sizes.downloadedBytes / 1024 / 1024).toFixed(1)} MB)`,
    `  phases: ${Object.entries(r.durationsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}`,
  ];
  if (r.rowCounts.length > 0) {
    const bad = r.rowCounts.filter((c) => !c.ok);
    lines.push(`  row counts: ${r.rowCounts.length - bad.length}/${r.rowCounts.length} tables match the manifest`);
  }
  if (r.restoredTables.length > 0) {
    lines.push(`  tables: ${r.restoredTables.join(", ")}`);
    if (r.brought.length > 0) lines.push(`  brought along (the tables need them): ${r.brought.join(", ")}`);
    if (r.alreadyInTarget.length > 0) lines.push(`  already in the target, kept: ${r.alreadyInTarget.join(", ")}`);
    if (r.addedForeignKeys.length > 0) lines.push(`  foreign keys to tables in the target: ${r.addedForeignKeys.join(", ")}`);
    if (r.largeObjects.inDump > 0) lines.push(`  large objects: NOT included in a partial restore (${r.largeObjects.inDump} in the dump; a full restore brings them back)`);
  }
  for (const n of r.notRestored) lines.push(`  NOT restored: ${n.object}: ${n.reason}`);
  if (!r.privileges.restored) lines.push("  privileges: none restored (--no-acl)");
  else if (r.privileges.skipped.length > 0) {
    lines.push(
      `  privileges: ${r.privileges.skipped.length} skipped, their roles do not exist on the target (${r.privileges.missingRoles.join(", ")}); ` +
        "create the roles and grant again, or rerun with --force once they exist:",
    );
    for (const s of r.privileges.skipped) lines.push(`    skipped: ${s}`);
  }
  if (r.privileges.ownersMissing.length > 0) {
    lines.push(`  ownership: not restored (--no-owner, as seed 004); roles that owned objects in the source and are missing here: ${r.privileges.ownersMissing.join(", ")}`);
  }
  if (!r.analyze.skipped && !r.dryRun) lines.push(`  analyze: ${r.analyze.tables} tables analysed`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join("\n");
}

void runCli(
  {
    usage,
    strings: ["from", "to", "jobs", "tables", "role", "work-dir"],
    booleans: ["latest", "force", "dry-run", "no-acl", "no-analyze"],
  },
  async (args) => {
    const from = parseS3Location("--from", args.from);
    const to = parseDatabaseUrl("--to", args.to);
    const jobs = positiveInt("--jobs", args.jobs, availableParallelism(), 64);
    // Parsed here so bad names are refused before anything is looked up (exit 2).
    const tables = typeof args.tables === "string" && args.tables !== "" ? parseTableList(args.tables).map((t) => t.given) : [];
    return restore(createS3Client(), {
      from,
      to,
      latest: Boolean(args.latest),
      jobs,
      tables,
      force: Boolean(args.force),
      // minimist reads --no-x as x = false.
      noAcl: args.acl === false,
      noAnalyze: args.analyze === false,
      dryRun: Boolean(args["dry-run"]),
      role: typeof args.role === "string" && args.role !== "" ? args.role : undefined,
      showProgress: true,
      workDir: typeof args["work-dir"] === "string" && args["work-dir"] !== "" ? args["work-dir"] : undefined,
    });
  },
  summary,
);
