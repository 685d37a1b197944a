// Benchmark: our S3 restore as a Job runs it (node dist/restore.js: a staging database, each table
// streamed from S3 into COPY on N connections with its sha256 in flight, verified, then renamed into
// place) vs pg_restore -j N of the same dump already on local disk (the floor), and vs the naive
// pipeline (download, then sha256sum, then one-job pg_restore), side by side in one run, at two
// database sizes.
// npm run bench:restore [-- --mb 300,1500 --jobs 2 --rounds 3]
import { availableParallelism, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../tests/support/postgres";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { createBucket } from "../tests/support/bucket-state";
import { query } from "../tests/support/seed-database";
import { parseManifest, dumpFileKey } from "../workers/dump-manifest";
import { parseS3Location } from "../workers/s3-location";
import { cpuSeconds, log, ROOT, script, seconds, timed } from "./measure";
import { benchArgs, wholeNumber } from "./lib/cli";
import { workerBundle } from "../components/worker-command";
import { claimLine, interleaved, machineLoad, ratios, spread, spreadLine } from "./lib/rounds";
import { errorMessage } from "../scripts/lib/errors";
import { formatBytesIn } from "../scripts/lib/bytes";

const COMMAND = "npm run bench:restore";
const flags = benchArgs(COMMAND, "Our S3 restore vs local pg_restore -j N, and vs download + sha256sum + one-job pg_restore.", {
  mb: { type: "string", description: "database sizes in MB, comma-separated", default: "300,1500" },
  jobs: { type: "string", description: "pg_restore jobs for every contender", default: "4, or fewer cores" },
  rounds: { type: "string", description: "interleaved rounds", default: "3" },
});
const sizesMb = (flags.mb ?? "300,1500").split(",").map((mb) => wholeNumber(COMMAND, "mb", mb, 300, 1));
const jobs = wholeNumber(COMMAND, "jobs", flags.jobs, Math.min(4, availableParallelism()), 1);
const rounds = wholeNumber(COMMAND, "rounds", flags.rounds, 3, 1);
const FLOOR_TARGET = 1.15;
const NAIVE_TARGET = 0.6;

/** Four tables with indexes, so a parallel restore has independent work to spread. */
async function generate(url: string, mb: number): Promise<number> {
  const rowsPerTable = Math.round((mb * 1024 * 1024) / 4 / 190);
  for (let t = 1; t <= 4; t++) {
    await query(
      url,
      `CREATE TABLE t${t} (id bigint PRIMARY KEY, account int NOT NULL, at timestamptz NOT NULL, body text NOT NULL);
       INSERT INTO t${t} SELECT g, g % 50000, now() - (g || ' seconds')::interval, md5(g::text) || md5((g * ${t})::text) || repeat('x', 40)
         FROM generate_series(1, ${rowsPerTable}) g;
       CREATE INDEX t${t}_account_idx ON t${t} (account, at);`,
    );
  }
  const rows = await query<{ size: string }>(url, "SELECT pg_database_size(current_database())::text AS size");
  return Number(rows[0].size);
}

/** The directory dump's files, fetched once onto local disk for the floor. */
async function fetchDirectory(s3: S3Client, dump: string, into: string): Promise<void> {
  const { bucket, key } = parseS3Location("dump", dump);
  const body = async (k: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }))).Body!.transformToByteArray());
  const manifest = parseManifest((await body(`${key}.manifest.json`)).toString(), dump);
  mkdirSync(into);
  writeFileSync(join(into, "toc.dat"), await body(key));
  for (const f of manifest.dump.files ?? []) writeFileSync(join(into, f.name), await body(dumpFileKey(key, f.name)));
}

interface SizeResult {
  readonly lines: string[];
}

async function benchSize(pg: LocalPostgres, aws: LocalAws, s3: S3Client, mb: number, scratch: string): Promise<SizeResult> {
  const env = aws.env;
  const source = createDatabase(pg, `benchsrc${mb}`);
  log(`generating a ~${mb} MB database…`);
  const size = await generate(source, mb);
  log(`database is ${formatBytesIn(size, "MB", 0)}; backing up with npm run backup (a directory dump, one object per file)`);
  const backup = await timed(...script("scripts/backup.ts", ["--database", source, "--to", `s3://bench-backups/mb${mb}`, "--json"]), env);
  const dump = JSON.parse(backup.stdout) as { dump: string; sizeBytes: number };
  const dumpDir = dump.dump.replace(/\/toc\.dat$/, "");
  log(`dump ${dumpDir}: ${formatBytesIn(dump.sizeBytes, "MB", 0)} (backup took ${seconds(backup.ms)})`);
  const local = join(scratch, `local${mb}`);
  await fetchDirectory(s3, dump.dump, local);
  await query(pg.url(), `DROP DATABASE benchsrc${mb}`);

  const pgArgs = (db: string): string[] => ["-h", pg.host, "-p", String(pg.port), "-U", "postgres", "--no-owner", "-d", db];
  const drop = (db: string) => query(pg.url(), `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  let n = 0;
  const oursPhases: Record<string, number>[] = [];
  const naiveParts: { download: number; sha256sum: number; restore: number }[] = [];
  const motoCpuShare: number[] = [];
  const samples = await interleaved(
    {
      floor: async () => {
        const db = `floor${mb}_${++n}`;
        createDatabase(pg, db);
        const r = await timed("pg_restore", [`-j${jobs}`, ...pgArgs(db), local]);
        await drop(db);
        return r.ms;
      },
      // --no-analyze: like for like, neither pg_restore contender analyses.
      ours: async () => {
        const db = `ours${mb}_${++n}`;
        const cpuBefore = cpuSeconds(aws.pid) ?? 0;
        const r = await timed(process.execPath, [join(ROOT, workerBundle("restore")), "--from", dumpDir, "--to", pg.url(db), "--jobs", String(jobs), "--no-analyze", "--json"], env);
        motoCpuShare.push(((cpuSeconds(aws.pid) ?? 0) - cpuBefore) / (r.ms / 1000));
        const record = JSON.parse(r.stdout) as { ok: boolean; durationsMs: Record<string, number> };
        if (!record.ok) throw new Error("our restore did not verify");
        oursPhases.push({ ...record.durationsMs, wall: r.ms });
        await drop(db);
        return r.ms;
      },
      naive: async () => {
        const db = `naive${mb}_${++n}`;
        const dir = join(scratch, `naive${mb}`);
        const download = await timed("aws", ["s3", "cp", "--recursive", `${dumpDir}/`, dir, "--only-show-errors", "--exclude", "*.manifest.json"], env);
        const hash = await timed("sha256sum", readdirSync(dir).map((f) => join(dir, f)));
        createDatabase(pg, db);
        const single = await timed("pg_restore", [...pgArgs(db), dir]);
        rmSync(dir, { recursive: true, force: true });
        naiveParts.push({ download: download.ms, sha256sum: hash.ms, restore: single.ms });
        await drop(db);
        return download.ms + hash.ms + single.ms;
      },
    },
    { rounds, onRound: (r) => log(`${mb} MB: round ${r}/${rounds} done`) },
  );
  rmSync(local, { recursive: true, force: true });
  const s = (v: number): string => seconds(v);
  const x = (v: number): string => `${v.toFixed(2)}x`;
  const vsFloor = ratios(samples.ours, samples.floor);
  const vsNaive = ratios(samples.ours, samples.naive);
  const median = (values: number[]): number => spread(values).median;
  const phaseNames = [...new Set(oursPhases.flatMap((p) => Object.keys(p)))];
  const lines = [
    `database: ${formatBytesIn(size, "MB", 0)}, dump ${formatBytesIn(dump.sizeBytes, "MB", 0)} (directory, one object per file), jobs ${jobs}, ${rounds} interleaved rounds`,
    spreadLine(`  floor (pg_restore -j ${jobs}, local disk)`, samples.floor, s),
    spreadLine("  ours (node dist/restore.js from the S3 server, as the Job runs it)", samples.ours, s),
    spreadLine("  naive (aws s3 cp, sha256sum, pg_restore one job)", samples.naive, s),
    `  ours, median per phase: ${phaseNames.map((p) => `${p} ${s(median(oursPhases.map((o) => o[p] ?? 0)))}`).join(", ")}`,
    `  naive, median per part: download ${s(median(naiveParts.map((p) => p.download)))}, sha256sum ${s(median(naiveParts.map((p) => p.sha256sum)))}, one-job pg_restore ${s(median(naiveParts.map((p) => p.restore)))} (the best a single streamed job could do)`,
    `  moto's CPU during ours: ${(median(motoCpuShare) * 100).toFixed(0)}% of one core`,
    claimLine(`restore from S3 vs local pg_restore -j ${jobs} at ${mb} MB`, vsFloor, { op: "<=", value: FLOOR_TARGET }, x),
    claimLine(`restore from S3 vs naive download+sha256sum+pg_restore at ${mb} MB`, vsNaive, { op: "<=", value: NAIVE_TARGET }, x),
  ];
  return { lines };
}

async function main(): Promise<void> {
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "bench-restore-"));
  process.stdout.write(`${machineLoad()}\n`);
  try {
    log("bundling the workers as the image does (npm run build:workers)");
    await timed(...script("scripts/build-workers.ts", []));
    pg = await startPostgres();
    aws = await startMoto();
    const s3 = new S3Client({});
    await createBucket(s3, "bench-backups");
    const results: SizeResult[] = [];
    for (const mb of sizesMb) results.push(await benchSize(pg, aws, s3, mb, scratch));
    process.stdout.write(`${machineLoad()} (at the end)\n`);
    for (const r of results) process.stdout.write(`${r.lines.filter((l) => !l.startsWith("claim:")).join("\n")}\n`);
    for (const r of results) process.stdout.write(`${r.lines.filter((l) => l.startsWith("claim:")).join("\n")}\n`);
  } finally {
    pg?.stop();
    await aws?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
