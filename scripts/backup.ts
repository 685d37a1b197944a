#!/usr/bin/env tsx
// Takes a logical backup into S3 in the format `npm run restore` expects (docs/data-plane.md).
import { formatBytesIn } from "./lib/bytes";
import { UsageError, type CommandSpec } from "./lib/cli";
import { JSON_OPTION, positiveInt, runWorker } from "../workers/cli";

export const BACKUP_COMMAND = {
  usage: ["npm run backup -- --database <postgresql-url> --to s3://bucket/prefix [options]"],
  description: `Dumps the database with pg_dump (one consistent snapshot), uploads it with multipart and a
sha256 computed while streaming, then writes <dump>.manifest.json beside it.`,
  options: {
    database: { type: "string", value: "URL", help: "database to back up (the password is never printed)" },
    to: { type: "string", value: "S3URL", help: "bucket and prefix the dump and its manifest go to" },
    format: {
      type: "string",
      value: "F",
      help: "directory (default: pg_dump -Fd -j N, one object per file, which restore\nstreams into pg_restore -j N) or custom (one file)",
    },
    gzip: { type: "boolean", help: "a custom-format dump inside one gzip stream (.dump.gz); implies --format custom" },
    jobs: { type: "string", value: "N", help: "pg_dump parallel jobs for --format directory (default 2)" },
    json: JSON_OPTION,
  },
  epilogue: "Exit: 0 backed up, 1 failed, 2 bad usage.",
} as const satisfies CommandSpec;

runWorker(
  BACKUP_COMMAND,
  /* eslint-disable @typescript-eslint/no-require-imports -- runWorker's loader, called after --help is answered */
  () => ({
    ...(require("../workers/backup") as typeof import("../workers/backup")),
    ...(require("../workers/postgres-connection") as typeof import("../workers/postgres-connection")),
    ...(require("../workers/s3-client") as typeof import("../workers/s3-client")),
    ...(require("../workers/s3-location") as typeof import("../workers/s3-location")),
  }),
  /* eslint-enable @typescript-eslint/no-require-imports */
  async (args, { backup, parseDatabaseUrl, createS3Client, parseS3Location }) => {
    const database = parseDatabaseUrl("--database", args.database);
    const to = parseS3Location("--to", args.to);
    const format = (args.format ?? (args.gzip ? "custom" : "directory")) as string;
    if (format !== "custom" && format !== "directory") {
      throw new UsageError("--format", `"${format}" is not a dump format; use custom or directory`);
    }
    const jobs = positiveInt("--jobs", args.jobs, 2, 64);
    return backup(createS3Client(), {
      database,
      to,
      format,
      gzip: Boolean(args.gzip),
      jobs,
      showProgress: true,
    });
  },
  (r) => `backed up ${r.source} → ${r.dump} (${formatBytesIn(r.sizeBytes, "MB")}, sha256 ${r.sha256.slice(0, 12)}…, ${r.tables} tables, ${r.rows} rows) in ${(r.durationsMs.total / 1000).toFixed(1)} s`,
);
