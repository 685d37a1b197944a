import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Writable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DumpManifest } from "./dump-manifest";
import { errorMessage, RefusedError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import type { Progress } from "./progress";
import { formatS3 } from "./s3-location";
import { objectStream } from "./s3-download";
import { start } from "./child-process";

/** Downloads the dump into `dir`, hashing the stored bytes in flight; returns the archive path. */
export async function stageDump(s3: S3Client, manifest: DumpManifest, dir: string, progress: Progress) {
  const { stream, sizeBytes } = await objectStream(s3, { bucket: manifest.dump.bucket, key: manifest.dump.key });
  if (sizeBytes !== manifest.dump.sizeBytes) {
    stream.destroy();
    throw new RefusedError(
      `--from: ${formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key })} is ${sizeBytes} bytes but its manifest says ` +
        `${manifest.dump.sizeBytes}; the dump is damaged or was replaced, nothing was restored`,
    );
  }
  progress.update(0, sizeBytes);
  const hashed = new HashingCounter((n) => progress.update(n));
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [stream, hashed];
  if (manifest.dump.compression === "gzip") stages.push(createGunzip());
  let archive: string;
  let extractor: Promise<void> | undefined;
  if (manifest.dump.format === "custom") {
    archive = join(dir, "archive.dump");
    // Big writes: the default 16 KB buffer costs a third more time than the network itself.
    stages.push(createWriteStream(archive, { highWaterMark: 1024 * 1024 }));
  } else {
    archive = join(dir, "archive");
    mkdirSync(archive);
    const tar = start("tar", ["-C", archive, "-xf", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    stages.push(tar.child.stdin as Writable);
    extractor = tar.done;
  }
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    await extractor;
  } catch (error) {
    if ((error as { $metadata?: unknown }).$metadata !== undefined) throw error;
    // gunzip or tar choked on the bytes: the stored dump is damaged, whatever its checksum says.
    throw new RefusedError(
      `--from: ${formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key })} could not be unpacked ` +
        `(${errorMessage(error)}); the dump is corrupt, nothing was restored; use another backup`,
    );
  }
  progress.stop();
  return { archive, downloadedBytes: hashed.bytes, sha256: hashed.digest() };
}

export function stagedSize(path: string): number {
  const s = statSync(path);
  if (s.isFile()) return s.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += statSync(join(path, entry)).size;
  return total;
}

/**
 * A restore killed outright (a pod evicted, SIGKILL) cannot delete its staged dump; the next run
 * does, so repeated attempts in a disaster do not fill the disk with copies of the dump.
 */
export function removeStaleStaging(workDir: string): void {
  for (const name of readdirSync(workDir)) {
    const m = /^recovery-restore-(\d+)-/.exec(name);
    if (m && !isRunning(Number(m[1]))) rmSync(join(workDir, name), { recursive: true, force: true });
  }
}

/** Whether a process still runs; a killed process nobody reaped (a zombie, in a container) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
