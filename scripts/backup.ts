#!/usr/bin/env tsx
// Takes a logical backup into S3 in the format `npm run restore` expects (docs/data-plane.md).
import { backup } from "../workers/backup";
import { positiveInt, runCli } from "../workers/cli";
import { UsageError } from "../workers/errors";
import { parseDatabaseUrl } from "../workers/postgres-connection";
import { createS3Client } from "../workers/s3-client";
import { parseS3Location } from "../workers/s3-location";

const usage = `
npm run backup -- --database <postgresql-url> --to s3://bucket/prefix [options]

Dumps the database with pg_dump (one consistent snapshot), uploads it with multipart and a
sha256 computed while streaming, then writes <dump>.manifest.json beside it.

  --database URL    database to back up (the password is never printed)
  --to S3URL        bucket and prefix the dump and its manifest go to
  --format F        directory (default: pg_dump -Fd -j N, one object per file, which restore
                    streams into pg_restore -j N) or custom (one file)
  --gzip            a custom-format dump inside one gzip stream (.dump.gz); implies --format custom
  --jobs N          pg_dump parallel jobs for --format directory (default 2)
  --json            print one JSON record on stdout (summary on stderr)
  --help            this text

Exit: 0 backed up, 1 failed, 2 bad usage.
`;

void runCli(
  { usage, strings: ["database", "to", "format", "jobs"], booleans: ["gzip"] },
  async (args) => {
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
  (r) => `backed up ${r.source} → ${r.dump} (${(r.sizeBytes / 1024 / 1024).toFixed(1)} MB, sha256 ${r.sha256.slice(0, 12)}…, ${r.tables} tables, ${r.rows} rows) in ${(r.durationsMs.total / 1000).toFixed(1)} s`,
);
