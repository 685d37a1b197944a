// Benchmark: npm run sync vs `aws s3 sync` (AWS CLI v1) against the same moto server, plus a
// rerun with nothing changed. npm run bench:sync [-- --objects 5000 --large 4]
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { join } from "node:path";
import pLimit from "p-limit";
import { minimist } from "zx";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { contentFor, createBucket } from "../tests/support/bucket-state";
import { log, script, seconds, timed } from "./measure";

const args = minimist(process.argv.slice(2), { string: ["objects", "large"] });
const objects = Number(args.objects ?? 5000);
const large = Number(args.large ?? 4);

async function main(): Promise<void> {
  let aws: LocalAws | undefined;
  try {
    aws = await startMoto();
    const s3 = new S3Client({});
    for (const b of ["bench-replica", "bench-ours", "bench-awscli"]) await createBucket(s3, b);
    log(`filling the replica: ${objects} objects of 1-64 KB and ${large} of 20 MB…`);
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
    const env = aws.env;
    log("aws s3 sync…");
    const cli = await timed("aws", ["s3", "sync", "s3://bench-replica", "s3://bench-awscli", "--only-show-errors"], env);
    log(`aws s3 sync took ${seconds(cli.ms)}; npm run sync…`);
    const ours = await timed(...script("scripts/sync.ts", ["--from", "s3://bench-replica", "--to", "s3://bench-ours", "--json"]), env);
    const first = JSON.parse(ours.stdout) as { ok: boolean; sync: { copied: { objects: number }; parity: { exact: boolean } } };
    if (!first.ok || !first.sync.parity.exact) throw new Error("our sync did not reach exact parity");
    log(`npm run sync took ${seconds(ours.ms)} (${first.sync.copied.objects} objects); rerun…`);
    const rerun = await timed(...script("scripts/sync.ts", ["--from", "s3://bench-replica", "--to", "s3://bench-ours", "--json"]), env);
    const second = JSON.parse(rerun.stdout) as { sync: { copied: { objects: number } } };
    if (second.sync.copied.objects !== 0) throw new Error(`the rerun copied ${second.sync.copied.objects} objects`);
    process.stdout.write(`objects: ${objects} small + ${large} x 20 MB\n`);
    process.stdout.write(`claim: sync speedup vs aws s3 sync: ${(cli.ms / ours.ms).toFixed(2)}x (${seconds(ours.ms)} vs ${seconds(cli.ms)}) (target >= 1.5x)\n`);
    process.stdout.write(`claim: rerun with nothing changed vs first run: ${((100 * rerun.ms) / ours.ms).toFixed(1)}% (${seconds(rerun.ms)}) (target <= 10%)\n`);
  } finally {
    await aws?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
