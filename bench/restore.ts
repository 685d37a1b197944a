// Benchmark: our S3 restore vs pg_restore from local disk (the floor) and vs the naive pipeline
// (download, then sha256sum, then single-job pg_restore), side by side in one run.
// npm run bench:restore [-- --mb 300 --jobs 2]
import { availableParallelism, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { minimist } from "zx";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../tests/support/postgres";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { createBucket } from "../tests/support/bucket-state";
import { query } from "../tests/support/seed-database";
import { log, script, seconds, timed } from "./measure";

const args = minimist(process.argv.slice(2), { string: ["mb", "jobs", "rounds"] });
const targetMb = Number(args.mb ?? 300);
const jobs = Number(args.jobs ?? Math.min(4, availableParallelism()));
// The machine is shared: each contender runs `rounds` times, interleaved, and keeps its best time.
const rounds = Number(args.rounds ?? 3);

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

async function main(): Promise<void> {
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "bench-restore-"));
  try {
    pg = await startPostgres();
    aws = await startMoto();
    const env = aws.env;
    await createBucket(new S3Client({}), "bench-backups");
    const source = createDatabase(pg, "benchsrc");
    log(`generating a ~${targetMb} MB database…`);
    const size = await generate(source, targetMb);
    log(`database is ${(size / 1024 / 1024).toFixed(0)} MB; backing up with npm run backup`);
    const backup = await timed(...script("scripts/backup.ts", ["--database", source, "--to", "s3://bench-backups/prod", "--json"]), env);
    const dump = JSON.parse(backup.stdout) as { dump: string; sizeBytes: number };
    log(`dump ${dump.dump}: ${(dump.sizeBytes / 1024 / 1024).toFixed(0)} MB (backup took ${seconds(backup.ms)})`);
    const localCopy = join(scratch, "local.dump");
    await timed("aws", ["s3", "cp", dump.dump, localCopy, "--only-show-errors"], env);

    const admin = (db: string): string => pg!.url(db);
    const pgArgs = (db: string): string[] => ["-h", pg!.host, "-p", String(pg!.port), "-U", "postgres", "--no-owner", "-d", db];

    const best = { floor: Infinity, ours: Infinity, naive: Infinity };
    let oursPhases = "";
    let naiveParts = "";
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds} floor: pg_restore -j ${jobs} from local disk`);
      createDatabase(pg, `floor${round}`);
      const floor = await timed("pg_restore", [`-j${jobs}`, ...pgArgs(`floor${round}`), localCopy]);
      best.floor = Math.min(best.floor, floor.ms);

      log(`round ${round}/${rounds} ours: npm run restore -- --jobs ${jobs} (from the S3 server, sha256 in flight, verified)`);
      // --no-analyze: like for like, neither pg_restore contender analyses; ANALYZE is timed once below.
      const ours = await timed(...script("scripts/restore.ts", ["--from", dump.dump, "--to", admin(`ours${round}`), "--jobs", String(jobs), "--no-analyze", "--json"]), env);
      const oursRecord = JSON.parse(ours.stdout) as { ok: boolean; durationsMs: Record<string, number> };
      if (!oursRecord.ok) throw new Error("our restore did not verify");
      if (ours.ms < best.ours) oursPhases = Object.entries(oursRecord.durationsMs).map(([k, v]) => `${k} ${seconds(v)}`).join(", ");
      best.ours = Math.min(best.ours, ours.ms);

      log(`round ${round}/${rounds} naive: aws s3 cp, then sha256sum, then pg_restore (one job)`);
      const naiveFile = join(scratch, "naive.dump");
      const download = await timed("aws", ["s3", "cp", dump.dump, naiveFile, "--only-show-errors"], env);
      const hash = await timed("sha256sum", [naiveFile]);
      createDatabase(pg, `naive${round}`);
      const single = await timed("pg_restore", [...pgArgs(`naive${round}`), naiveFile]);
      rmSync(naiveFile);
      const naiveMs = download.ms + hash.ms + single.ms;
      if (naiveMs < best.naive) naiveParts = `download ${seconds(download.ms)}, sha256sum ${seconds(hash.ms)}, pg_restore ${seconds(single.ms)}`;
      best.naive = Math.min(best.naive, naiveMs);
      log(`round ${round}: floor ${seconds(floor.ms)}, ours ${seconds(ours.ms)}, naive ${seconds(naiveMs)}`);
    }
    log("once more, ours with its ANALYZE phase (the default)");
    const analysed = await timed(...script("scripts/restore.ts", ["--from", dump.dump, "--to", admin("ours_analysed"), "--jobs", String(jobs), "--json"]), env);
    const analyzeMs = (JSON.parse(analysed.stdout) as { durationsMs: Record<string, number> }).durationsMs.analyze;
    process.stdout.write(`cost: the ANALYZE phase (default, not in the claims) took ${seconds(analyzeMs)}; the whole restore ${seconds(analysed.ms)}\n`);
    log(`best: floor ${seconds(best.floor)}; ours ${seconds(best.ours)} (${oursPhases}); naive ${seconds(best.naive)} (${naiveParts})`);
    process.stdout.write(`database: ${(size / 1024 / 1024).toFixed(0)} MB, dump ${(dump.sizeBytes / 1024 / 1024).toFixed(0)} MB, jobs ${jobs}, best of ${rounds} interleaved rounds\n`);
    process.stdout.write(`claim: restore from S3 vs local pg_restore -j ${jobs}: ${(best.ours / best.floor).toFixed(2)}x (${seconds(best.ours)} vs ${seconds(best.floor)}) (target <= 1.25x)\n`);
    process.stdout.write(`claim: restore from S3 vs naive download+sha256sum+pg_restore: ${(best.ours / best.naive).toFixed(2)}x (${seconds(best.ours)} vs ${seconds(best.naive)}) (target <= 0.7x)\n`);
  } finally {
    pg?.stop();
    await aws?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
