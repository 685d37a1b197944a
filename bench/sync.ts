// Benchmark: npm run sync vs `aws s3 sync` (AWS CLI v1) against a server that behaves like S3:
// s3rver behind a proxy that makes every request wait as long as it would against S3 across
// regions (bench/s3/latency-proxy.ts says which figures, from where). Then a rerun with nothing
// changed, and the peak memory of a sync over a bucket of 200,000 keys.
//
//   npm run bench:sync [-- --objects 5000 --large 4 --rounds 3 --latency cross-region
//                          --memory-keys 200000 --memory-delta 1000]
//
// One server holds the replica, filled once; every run copies it into a fresh, empty target
// bucket, so no contender finds another's work. Rounds are interleaved (bench/lib/rounds.ts).
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import pLimit from "p-limit";
import { contentFor } from "../tests/support/bucket-state";
import { cpuSeconds, log, script, seconds, timed } from "./measure";
import { benchArgs, usageExit, wholeNumber } from "./lib/cli";
import { claimLine, interleaved, machineLoad, ratios, spreadLine } from "./lib/rounds";
import { PROFILES, startLatencyProxy, type LatencyProfile, type LatencyProxy } from "./s3/latency-proxy";
import { BENCH_CREDENTIALS, startBenchS3, type BenchS3 } from "./s3/s3-server";
import { errorMessage } from "../scripts/lib/errors";

const COMMAND = "npm run bench:sync";
const opts = benchArgs(COMMAND, "npm run sync vs aws s3 sync against s3rver behind a latency proxy; a rerun; peak memory.", {
  objects: { type: "string", description: "small objects (1-64 KB) in the replica", default: "5000" },
  large: { type: "string", description: "20 MB multipart objects in the replica", default: "4" },
  rounds: { type: "string", description: "interleaved rounds", default: "3" },
  latency: { type: "string", description: `S3's latency: ${Object.keys(PROFILES).join(", ")}`, default: "cross-region" },
  "memory-keys": { type: "string", description: "keys of the peak-memory sync (0: skip it)", default: "200000" },
  "memory-delta": { type: "string", description: "of those, keys the target lacks", default: "1000" },
});
const objects = wholeNumber(COMMAND, "objects", opts.objects, 5000, 1);
const large = wholeNumber(COMMAND, "large", opts.large, 4, 0);
const rounds = wholeNumber(COMMAND, "rounds", opts.rounds, 3, 1);
const memoryKeys = wholeNumber(COMMAND, "memory-keys", opts["memory-keys"], 200_000, 0);
const memoryDelta = wholeNumber(COMMAND, "memory-delta", opts["memory-delta"], 1000, 1);
const profile = (opts.latency ?? "cross-region") as LatencyProfile;
if (!(profile in PROFILES)) usageExit(COMMAND, `--latency "${profile}" is not one of ${Object.keys(PROFILES).join(", ")}`);

const REPLICA = "bench-replica";
/** Ours runs with the script's default; the raised AWS CLI gets the same number. */
const OUR_CONCURRENCY = 32;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

function env(s3: BenchS3 | LatencyProxy): Record<string, string> {
  return { ...BENCH_CREDENTIALS, AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: "eu-west-2", AWS_DEFAULT_REGION: "eu-west-2" };
}

async function fillReplica(server: BenchS3): Promise<void> {
  const s3 = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: "eu-west-2", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await s3.send(new CreateBucketCommand({ Bucket: REPLICA }));
  // The small objects go straight into s3rver's files (thousands of PUTs cost minutes of its CPU on
  // a busy machine); the large ones through multipart uploads, for S3's "-N" ETags and part sizes.
  await writeObjectFiles(server, REPLICA, objects, (i) => ({ key: `media/${i % 50}/${i}.bin`, body: contentFor(i, 1024 + ((i * 104729) % (63 * 1024))) }));
  const limit = pLimit(2);
  await Promise.all(
    Array.from({ length: large }, (_, i) =>
      limit(() =>
        new Upload({ client: s3, params: { Bucket: REPLICA, Key: `video/${i}.mp4`, Body: contentFor(1e6 + i, 20 * 1024 * 1024), ContentType: "video/mp4" }, partSize: 8 * 1024 * 1024 }).done(),
      ),
    ),
  );
  s3.destroy();
}

/** Objects written into s3rver's directory layout: `<key>._S3rver_object`, `.md5` and metadata. */
async function writeObjectFiles(server: BenchS3, bucket: string, count: number, objectFor: (i: number) => { key: string; body: Buffer } | undefined): Promise<void> {
  const limit = pLimit(64);
  const work: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const o = objectFor(i);
    if (!o) continue;
    work.push(
      limit(async () => {
        const base = join(server.directory, bucket, `${o.key}._S3rver_`);
        await mkdir(dirname(base), { recursive: true });
        await writeFile(`${base}object`, o.body);
        await writeFile(`${base}object.md5`, createHash("md5").update(o.body).digest("hex"));
        await writeFile(`${base}metadata.json`, '{"content-type":"application/octet-stream"}');
      }),
    );
  }
  await Promise.all(work);
}

let targets = 0;
async function freshTarget(server: BenchS3): Promise<string> {
  const name = `bench-target-${++targets}`;
  const s3 = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: "eu-west-2", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  s3.destroy();
  return name;
}

interface Run {
  ms: number;
  /** Cores' worth of CPU the server's workers used during the run. */
  serverBusy: number;
  /** CPU seconds the client process used (user + system). */
  clientCpuS: number;
  requests: Map<string, number>;
  stdout: string;
}

async function measured(server: BenchS3, proxy: LatencyProxy, command: [string, string[]], extraEnv: Record<string, string>): Promise<Run> {
  proxy.counts.clear();
  const serverCpu = (): number => server.pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  const before = serverCpu();
  // GNU time reports the client's own CPU (user + system, children included): on a shared
  // machine, the wall time of a client that waits on latency and one that waits for a core differ.
  const cpuFile = join(tmpdir(), `bench-sync-cpu-${process.pid}-${Date.now()}`);
  const r = await timed("/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, command[0], ...command[1]], { ...env(proxy), ...extraEnv });
  const after = serverCpu();
  const [user, system] = (await readFile(cpuFile, "utf8")).trim().split(/\s+/).slice(-2).map(Number);
  await rm(cpuFile, { force: true });
  return { ms: r.ms, serverBusy: (after - before) / (r.ms / 1000), clientCpuS: user + system, requests: new Map(proxy.counts), stdout: r.stdout };
}

const requestsLine = (r: Run): string => [...r.requests].sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(", ");

/** Peak resident memory (VmHWM) of a child process, read from /proc until it exits. */
function peakRss(command: [string, string[]], childEnv: Record<string, string>): Promise<{ peakMb: number; ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command[0], command[1], { env: { ...process.env, ...childEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let peakKb = 0;
    let stdout = "";
    let stderr = "";
    const poll = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, "utf8")
        .then((s) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
        .catch(() => undefined);
    }, 50);
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`sync exited ${code}: ${stderr.slice(-1500)}`));
      else resolve({ peakMb: peakKb / 1024, ms: Date.now() - started, stdout });
    });
  });
}

async function main(): Promise<void> {
  out(`machine: ${machineLoad()} (at start)`);
  out(`latency: ${profile} (${JSON.stringify(PROFILES[profile])}); replica ${REPLICA} counted as the other region`);
  const server = await startBenchS3();
  const proxy = await startLatencyProxy(server.endpoints, PROFILES[profile], new Set([REPLICA]));
  const configDir = await mkdtemp(join(tmpdir(), "bench-aws-config-"));
  try {
    log(`filling the replica: ${objects} objects of 1-64 KB and ${large} of 20 MB (multipart, 8 MB parts)…`);
    await fillReplica(server);
    // An empty config file, so whatever is in ~/.aws does not change "the defaults".
    const defaults = join(configDir, "defaults");
    const raised = join(configDir, "raised");
    await writeFile(defaults, "[default]\n");
    await writeFile(raised, `[default]\ns3 =\n  max_concurrent_requests = ${OUR_CONCURRENCY}\n`);
    const cli = (config: string) => async (): Promise<Run> => {
      const target = await freshTarget(server);
      return measured(server, proxy, ["aws", ["s3", "sync", `s3://${REPLICA}`, `s3://${target}`, "--endpoint-url", proxy.endpoint, "--only-show-errors"]], { AWS_CONFIG_FILE: config });
    };
    const runs: { ours: Run[]; rerun: Run[]; cliDefault: Run[]; cliRaised: Run[] } = { ours: [], rerun: [], cliDefault: [], cliRaised: [] };
    const ours = async (): Promise<number> => {
      const target = await freshTarget(server);
      const command = script("scripts/sync.ts", ["--from", `s3://${REPLICA}`, "--to", `s3://${target}`, "--json"]);
      const first = await measured(server, proxy, command, {});
      const record = JSON.parse(first.stdout) as { ok: boolean; sync: { copied: { objects: number }; parity: { exact: boolean } } };
      if (!record.ok || !record.sync.parity.exact) throw new Error("our sync did not reach exact parity");
      const rerun = await measured(server, proxy, command, {});
      const again = JSON.parse(rerun.stdout) as { sync: { copied: { objects: number } } };
      if (again.sync.copied.objects !== 0) throw new Error(`the rerun copied ${again.sync.copied.objects} objects`);
      runs.ours.push(first);
      runs.rerun.push(rerun);
      log(`ours ${seconds(first.ms)} (server busy ${(100 * first.serverBusy).toFixed(0)}%), rerun ${seconds(rerun.ms)}`);
      return first.ms;
    };
    const timedCli = (config: string, into: Run[], label: string) => async (): Promise<number> => {
      const r = await cli(config)();
      into.push(r);
      log(`${label} ${seconds(r.ms)} (server busy ${(100 * r.serverBusy).toFixed(0)}%)`);
      return r.ms;
    };
    const samples = await interleaved(
      {
        ours,
        cliDefault: timedCli(defaults, runs.cliDefault, "aws s3 sync (defaults)"),
        cliRaised: timedCli(raised, runs.cliRaised, `aws s3 sync (max_concurrent_requests ${OUR_CONCURRENCY})`),
      },
      { rounds, onRound: (r) => log(`round ${r}/${rounds} done`) },
    );
    const startup = await timed(...script("scripts/sync.ts", ["--help"]));

    out(`objects: ${objects} of 1-64 KB + ${large} x 20 MB; ${rounds} interleaved rounds; one s3rver, a fresh target per run`);
    out(spreadLine("ours (npm run sync, concurrency 32)", samples.ours, seconds));
    out(spreadLine("aws s3 sync, defaults (max_concurrent_requests 10)", samples.cliDefault, seconds));
    out(spreadLine(`aws s3 sync, max_concurrent_requests ${OUR_CONCURRENCY}`, samples.cliRaised, seconds));
    out(spreadLine("ours, rerun with nothing changed", runs.rerun.map((r) => r.ms), seconds));
    out(claimLine("sync speedup vs aws s3 sync with its defaults", ratios(samples.cliDefault, samples.ours), { op: ">=", value: 3 }, (v) => `${v.toFixed(2)}x`));
    out(`measured: speedup vs aws s3 sync with max_concurrent_requests ${OUR_CONCURRENCY}: ${ratios(samples.cliRaised, samples.ours).map((v) => `${v.toFixed(2)}x`).join(", ")} (no target)`);
    out(claimLine("rerun with nothing changed vs first run", ratios(runs.rerun.map((r) => r.ms), samples.ours).map((v) => 100 * v), { op: "<=", value: 10 }, (v) => `${v.toFixed(1)}%`));

    // Where the time goes, from the last round.
    const last = <T>(xs: T[]): T => xs[xs.length - 1];
    out(`where the time goes (last round): requests through the proxy`);
    const cpu = (r: Run): string => `client CPU ${r.clientCpuS.toFixed(1)} s, s3rver CPU ${((r.serverBusy * r.ms) / 1000).toFixed(1)} s`;
    out(`  ours:   ${requestsLine(last(runs.ours))}; ${cpu(last(runs.ours))}`);
    out(`  rerun:  ${requestsLine(last(runs.rerun))}; ${cpu(last(runs.rerun))}; process start-up alone (--help) ${seconds(startup.ms)}`);
    out(`  aws s3 sync defaults: ${requestsLine(last(runs.cliDefault))}; ${cpu(last(runs.cliDefault))}`);
    out(`  aws s3 sync raised: ${requestsLine(last(runs.cliRaised))}; ${cpu(last(runs.cliRaised))}`);
    out(`  the latency model alone would take: ours ${seconds((objects * (PROFILES[profile].copyMs + PROFILES[profile].crossRegionMs)) / OUR_CONCURRENCY)}, aws s3 sync defaults ${seconds((objects * (PROFILES[profile].copyMs + PROFILES[profile].crossRegionMs)) / 10)} (copies / concurrency × one copy's delay)`);
    const d = (JSON.parse(last(runs.ours).stdout) as { sync: { durationsMs: Record<string, number> } }).sync.durationsMs;
    out(`  ours, phases: ${Object.entries(d).map(([k, v]) => `${k} ${seconds(v)}`).join(", ")}`);

    if (memoryKeys > 0) {
      log(`memory: writing ${memoryKeys} keys into a replica and ${memoryKeys - memoryDelta} of them into a target…`);
      // 200 prefixes of 1,000 keys: s3rver walks a directory per listing page, and one of 200,000
      // files would make each page cost seconds of its CPU.
      const body = Buffer.from("x".repeat(100));
      const bigKey = (i: number): string => `m/${String(i % 200).padStart(3, "0")}/${String(i).padStart(7, "0")}.bin`;
      const every = Math.round(memoryKeys / memoryDelta);
      await writeObjectFiles(server, "bench-big-replica", memoryKeys, (i) => ({ key: bigKey(i), body }));
      await writeObjectFiles(server, "bench-big-target", memoryKeys, (i) => (i % every === 0 ? undefined : { key: bigKey(i), body }));
      const big = await peakRss(script("scripts/sync.ts", ["--from", "s3://bench-big-replica", "--to", "s3://bench-big-target", "--json"]), { ...env(proxy) });
      const record = JSON.parse(big.stdout) as { ok: boolean; sync: { copied: { objects: number }; skippedIdentical: { objects: number } } };
      if (!record.ok) throw new Error("the 200,000-key sync did not reach exact parity");
      out(`memory run: ${memoryKeys} keys listed on each side, ${record.sync.copied.objects} copied, ${record.sync.skippedIdentical.objects} identical, ${seconds(big.ms)}`);
      out(claimLine(`peak resident memory (VmHWM) syncing ${memoryKeys} keys`, [big.peakMb], { op: "<=", value: 250 }, (v) => `${v.toFixed(0)} MB`));
    }
    out(`machine: ${machineLoad()} (at end)`);
  } finally {
    await proxy.stop();
    await server.stop();
    await rm(configDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
