// Benchmark: npm run sync vs `aws s3 sync` (AWS CLI v1) against moto_server, plus a rerun with
// nothing changed. npm run bench:sync [-- --objects 5000 --large 4 --rounds 2]
//
// Each contender gets its own freshly started and identically filled server: moto slows down as
// it holds more objects, so sharing one server would favour whoever runs first. The rounds
// alternate which contender goes first, and each keeps its best time.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import pLimit from "p-limit";
import { minimist } from "zx";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { contentFor, createBucket } from "../tests/support/bucket-state";
import { cpuSeconds, log, script, seconds, timed } from "./measure";

const args = minimist(process.argv.slice(2), { string: ["objects", "large", "rounds"] });
const objects = Number(args.objects ?? 5000);
const large = Number(args.large ?? 4);
const rounds = Number(args.rounds ?? 2);

async function filledServer(): Promise<LocalAws> {
  const aws = await startMoto();
  const s3 = new S3Client({});
  for (const b of ["bench-replica", "bench-target"]) await createBucket(s3, b);
  const limit = pLimit(16);
  await Promise.all([
    ...Array.from({ length: objects }, (_, i) =>
      limit(() =>
        s3.send(new PutObjectCommand({ Bucket: "bench-replica", Key: `media/${i % 50}/${i}.bin`, Body: contentFor(i, 1024 + ((i * 104729) % (63 * 1024))) })),
      ),
    ),
    ...Array.from({ length: large }, (_, i) =>
      limit(() =>
        new Upload({ client: s3, params: { Bucket: "bench-replica", Key: `video/${i}.mp4`, Body: contentFor(1e6 + i, 20 * 1024 * 1024) }, partSize: 8 * 1024 * 1024 }).done(),
      ),
    ),
  ]);
  s3.destroy();
  return aws;
}

interface Run {
  ms: number;
  /** Share of one core the server was busy during the run (moto serves under one Python lock). */
  serverBusy: number | undefined;
}

async function measured(aws: LocalAws, command: [string, string[]]): Promise<Run & { stdout: string }> {
  const before = cpuSeconds(aws.pid);
  const r = await timed(...command, aws.env);
  const after = cpuSeconds(aws.pid);
  const serverBusy = before === undefined || after === undefined ? undefined : (after - before) / (r.ms / 1000);
  return { ...r, serverBusy };
}

const ours = (): [string, string[]] => script("scripts/sync.ts", ["--from", "s3://bench-replica", "--to", "s3://bench-target", "--json"]);

async function runCli(): Promise<Run> {
  const aws = await filledServer();
  try {
    return await measured(aws, ["aws", ["s3", "sync", "s3://bench-replica", "s3://bench-target", "--only-show-errors"]]);
  } finally {
    await aws.stop();
  }
}

async function runOurs(): Promise<{ first: Run; rerun: Run }> {
  const aws = await filledServer();
  try {
    const first = await measured(aws, ours());
    const record = JSON.parse(first.stdout) as { ok: boolean; sync: { copied: { objects: number }; parity: { exact: boolean } } };
    if (!record.ok || !record.sync.parity.exact) throw new Error("our sync did not reach exact parity");
    const rerun = await measured(aws, ours());
    const again = JSON.parse(rerun.stdout) as { sync: { copied: { objects: number } } };
    if (again.sync.copied.objects !== 0) throw new Error(`the rerun copied ${again.sync.copied.objects} objects`);
    return { first, rerun };
  } finally {
    await aws.stop();
  }
}

const busy = (r: Run): string => (r.serverBusy === undefined ? "" : `, server busy ${(100 * r.serverBusy).toFixed(0)}% of a core`);

async function main(): Promise<void> {
  let cli: Run | undefined;
  let best: { first: Run; rerun: Run } | undefined;
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? ["cli", "ours"] : ["ours", "cli"];
    for (const who of order) {
      log(`round ${round}/${rounds}: filling a fresh server with ${objects} objects of 1-64 KB and ${large} of 20 MB, then ${who === "cli" ? "aws s3 sync" : "npm run sync (and a rerun)"}…`);
      if (who === "cli") {
        const r = await runCli();
        log(`aws s3 sync: ${seconds(r.ms)}${busy(r)}`);
        if (!cli || r.ms < cli.ms) cli = r;
      } else {
        const r = await runOurs();
        log(`npm run sync: ${seconds(r.first.ms)}${busy(r.first)}; rerun ${seconds(r.rerun.ms)}`);
        if (!best || r.first.ms < best.first.ms) best = r;
      }
    }
  }
  if (!cli || !best) throw new Error("no rounds were run (--rounds must be at least 1)");
  process.stdout.write(`objects: ${objects} small + ${large} x 20 MB, best of ${rounds} rounds, a fresh server per run\n`);
  if (cli.serverBusy !== undefined && best.first.serverBusy !== undefined) {
    // moto answers under one Python lock, so its CPU time is a floor for any client that makes
    // the same requests (one copy per object): this is the most a faster client could gain here.
    process.stdout.write(
      `server: moto was busy ${(100 * best.first.serverBusy).toFixed(0)}% of a core during ours and ${(100 * cli.serverBusy).toFixed(0)}% during aws s3 sync, ` +
        `so no client making the same requests can beat aws s3 sync by more than ${(1 / cli.serverBusy).toFixed(2)}x on this server\n`,
    );
  }
  process.stdout.write(`claim: sync speedup vs aws s3 sync: ${(cli.ms / best.first.ms).toFixed(2)}x (${seconds(best.first.ms)} vs ${seconds(cli.ms)}) (target >= 1.5x)\n`);
  process.stdout.write(`claim: rerun with nothing changed vs first run: ${((100 * best.rerun.ms) / best.first.ms).toFixed(1)}% (${seconds(best.rerun.ms)}) (target <= 10%)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
