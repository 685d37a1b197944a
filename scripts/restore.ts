#!/usr/bin/env tsx
// Restores a dump from S3 into a new database, verified end to end (seed 003 §C, seed 000 §3-4).
// Only the option table and the kit load before --help is answered; the body requires the rest.
import { availableParallelism } from "node:os";
import { formatBytesIn } from "./lib/bytes";
import type { CommandSpec } from "./lib/cli";
import { JSON_OPTION, positiveInt, runWorker } from "../workers/cli";
import type { RestoreRecord } from "../workers/restore";

export const RESTORE_COMMAND = {
  usage: ["npm run restore -- --from s3://bucket/prefix[/dump] --to <postgresql-url> [options]"],
  description: `Finds the dump and its manifest, and refuses a target that is not empty (unless --force), or a
target that is the database the dump was taken from (always), and anything bound to fail (a
server too old, a missing extension or --role) before the first write. Then pg_restore -j N
--no-owner into a staging database <target>__restore_<id> while the dump downloads (sha256 of
every file checked in flight), ANALYZE of every restored table, and the row counts are compared
with the manifest; only when all of it matches is the staging database renamed to the target.
GRANTs to roles the target lacks are skipped and listed. A restore that fails, or is stopped,
drops its staging database and leaves the target as it was.`,
  options: {
    from: { type: "string", value: "S3URL", help: "a dump key, or a prefix holding dumps (with --latest: the newest)" },
    to: { type: "string", value: "URL", help: "target database (created if missing; the password is never printed)" },
    latest: { type: "boolean", help: "pick the newest dump under the prefix (by snapshot time in the manifest)" },
    jobs: { type: "string", value: "N", help: "pg_restore parallel jobs (default: number of CPUs)" },
    tables: {
      type: "string",
      value: "a,b",
      help:
        "restore only these tables, with what they need (types, functions, sequences,\n" +
        "partitions) and their foreign keys whose other end is in the target;\n" +
        'sales.items, "Order Items", public."Order Items" (a name in two schemas must\n' +
        "be qualified); large objects are not part of a partial restore",
    },
    role: { type: "string", value: "R", help: "pg_restore --role (objects are created as this role; it must exist)" },
    "no-acl": { type: "boolean", help: "restore no privileges (GRANTs), as seed 004's pg_restore --no-acl" },
    "no-analyze": { type: "boolean", help: "skip the ANALYZE of the restored tables" },
    force: {
      type: "boolean",
      help: "replace a non-empty target as a whole, once the restore is verified\n(with --tables: drop and recreate those tables' objects in it)",
    },
    "dry-run": { type: "boolean", help: "check everything (dump, checksum, target reachable and empty); change nothing" },
    "work-dir": { type: "string", value: "DIR", help: "where the dump is staged (default: the OS temp dir)" },
    json: JSON_OPTION,
  },
  epilogue: `Exit: 0 restored and verified; 1 refused, failed, or incomplete (a partial restore that could
not bring something its tables need, such as a foreign key to a table absent from the target);
2 bad usage; 130/143 stopped by SIGINT/SIGTERM (after dropping the database it created, or
saying what it left).`,
} as const satisfies CommandSpec;

/** A partial restore whose tables all came back whole but without something they need is incomplete, not failed. */
function headline(r: RestoreRecord): string {
  if (r.dryRun) return r.ok ? "dry run: would restore" : "dry run: would restore INCOMPLETE";
  if (r.ok) return "restored";
  return r.problems.every((p) => p.startsWith("not restored:")) ? "restored INCOMPLETE (exit 1)" : "restore FAILED";
}

function summary(r: RestoreRecord): string {
  const lines = [
    `${headline(r)} ${r.dump} → ${r.target}`,
    `  dump taken ${r.dumpTakenAt} from ${r.source}, sha256 ${r.sha256.slice(0, 16)}… (${formatBytesIn(r.sizes.downloadedBytes, "MB")})`,
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

runWorker(
  RESTORE_COMMAND,
  /* eslint-disable @typescript-eslint/no-require-imports -- runWorker's loader, called after --help is answered */
  () => ({
    ...(require("../workers/table-names") as typeof import("../workers/table-names")),
    ...(require("../workers/postgres-connection") as typeof import("../workers/postgres-connection")),
    ...(require("../workers/restore") as typeof import("../workers/restore")),
    ...(require("../workers/s3-client") as typeof import("../workers/s3-client")),
    ...(require("../workers/s3-location") as typeof import("../workers/s3-location")),
  }),
  /* eslint-enable @typescript-eslint/no-require-imports */
  async (args, { parseTableList, parseDatabaseUrl, restore, createS3Client, parseS3Location }) => {
    const from = parseS3Location("--from", args.from);
    const to = parseDatabaseUrl("--to", args.to);
    const jobs = positiveInt("--jobs", args.jobs, availableParallelism(), 64);
    // Parsed here so bad names are refused before anything is looked up (exit 2).
    const tables = args.tables !== undefined ? parseTableList(args.tables).map((t) => t.given) : [];
    return restore(createS3Client(), {
      from,
      to,
      latest: Boolean(args.latest),
      jobs,
      tables,
      force: Boolean(args.force),
      noAcl: Boolean(args["no-acl"]),
      noAnalyze: Boolean(args["no-analyze"]),
      dryRun: Boolean(args["dry-run"]),
      role: args.role,
      showProgress: true,
      workDir: args["work-dir"],
    });
  },
  summary,
);
