import { createHash } from "node:crypto";
import {
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  paginateListObjectsV2,
  type S3Client,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { SETTING_NAMES, settingDifferences, type ExpectedBucketSettings } from "../../stacks/bucket-documents";
import { readBucketSettings } from "../../workers/bucket-settings-reader";
import type { Baseline } from "../baseline";
import { formatBytes } from "../../scripts/lib/bytes";
import { some } from "../format";
import type { Check, CheckVerdict } from "../types";

export interface BucketTarget {
  readonly name: string;
  /** The bucket services use now. */
  readonly bucket: string;
  readonly mode: "promote" | "rebuild";
  readonly replica: string;
  /** Replica objects written after this (ms) are not expected in the rebuild. */
  readonly syncedAt?: number;
  readonly baseline?: Baseline["buckets"][string];
  /** Clients in the restored bucket's region and in the replica's. */
  readonly s3: S3Client;
  readonly replicaS3: S3Client;
  readonly sampleSize: number;
  /** Share of the baseline's objects a promoted replica may lack (replication lag within the RPO). */
  readonly tolerance: number;
  /**
   * rebuild: production's configuration as the inventory records it, the policy already naming
   * the rebuilt bucket. Defaults to none recorded (then the rebuild must have none either).
   */
  readonly settings?: ExpectedBucketSettings;
}

interface Listed {
  readonly size: number;
  readonly modified: number;
}

async function listAll(s3: S3Client, bucket: string, signal: AbortSignal): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket }, { abortSignal: signal }))
    for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key, { size: o.Size ?? 0, modified: o.LastModified?.getTime() ?? 0 });
  return out;
}

async function sha256Of(s3: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  const hash = createHash("sha256");
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest("hex");
}

/** A sample spread over the key space, the same on every run (a failure can be re-checked). */
function sample(keys: readonly string[], n: number): string[] {
  const rank = (k: string) => createHash("sha1").update(k).digest("hex");
  return [...keys].sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, n);
}

const verdict = (ok: boolean, detail: string): CheckVerdict => ({ ok, detail });

export function bucketChecks(t: BucketTarget): Check[] {
  const base = { target: t.name, group: "buckets" as const };
  // The replica's listing is shared by the count and the checksum checks.
  let replicaListing: Promise<Map<string, Listed>> | undefined;
  const expected = async (signal: AbortSignal) => {
    replicaListing ??= listAll(t.replicaS3, t.replica, signal);
    const all = await replicaListing;
    return [...all].filter(([, o]) => t.syncedAt === undefined || o.modified <= t.syncedAt);
  };

  if (t.mode === "promote") {
    return [
      {
        ...base,
        name: "bucket.objects",
        async run(signal) {
          if (!t.baseline) return verdict(false, `no baseline for bucket ${t.name}; capture one with --capture-baseline`);
          // A promoted bucket is the replica itself.
          const listed = await listAll(t.replicaS3, t.bucket, signal);
          const bytes = [...listed.values()].reduce((s, o) => s + o.size, 0);
          const floor = (n: number) => Math.floor(n * (1 - t.tolerance));
          const ok = listed.size >= floor(t.baseline.objects) && bytes >= floor(t.baseline.bytes);
          return verdict(ok, `${listed.size} objects, ${formatBytes(bytes)}; baseline ${t.baseline.objects} objects, ${formatBytes(t.baseline.bytes)}`);
        },
      },
    ];
  }

  return [
    {
      ...base,
      name: "bucket.objects",
      async run(signal) {
        const [want, have] = await Promise.all([expected(signal), listAll(t.s3, t.bucket, signal)]);
        const missing = want.filter(([k]) => !have.has(k)).map(([k]) => k);
        const wantBytes = want.reduce((s, [, o]) => s + o.size, 0);
        const haveBytes = want.reduce((s, [k]) => s + (have.get(k)?.size ?? 0), 0);
        const summary = `${t.bucket}: ${have.size} objects, ${formatBytes(haveBytes)}; replica ${want.length}, ${formatBytes(wantBytes)}`;
        if (missing.length > 0) return verdict(false, `${summary}; ${missing.length} missing: ${some(missing)}`);
        if (haveBytes !== wantBytes) return verdict(false, `${summary}; sizes differ`);
        return verdict(true, summary);
      },
    },
    {
      ...base,
      name: "bucket.checksums",
      async run(signal) {
        const [want, have] = await Promise.all([expected(signal), listAll(t.s3, t.bucket, signal)]);
        // Objects missing from the rebuild are the objects check's finding.
        const keys = sample(want.map(([k]) => k).filter((k) => have.has(k)), t.sampleSize);
        const limit = pLimit(4);
        const differ: string[] = [];
        await Promise.all(
          keys.map((k) =>
            limit(async () => {
              const [a, b] = await Promise.all([sha256Of(t.replicaS3, t.replica, k, signal), sha256Of(t.s3, t.bucket, k, signal)]);
              if (a !== b) differ.push(k);
            }),
          ),
        );
        return differ.length === 0
          ? verdict(true, `${keys.length} sampled objects match the replica (sha256)`)
          : verdict(false, `${differ.length} of ${keys.length} sampled objects differ from the replica: ${some(differ.sort())}`);
      },
    },
    {
      ...base,
      name: "bucket.settings",
      async run(signal) {
        const problems: string[] = [];
        const versioning = await t.s3.send(new GetBucketVersioningCommand({ Bucket: t.bucket }), { abortSignal: signal });
        if (versioning.Status !== "Enabled") problems.push(`versioning is ${versioning.Status ?? "off"}, not Enabled`);
        try {
          const pab = await t.s3.send(new GetPublicAccessBlockCommand({ Bucket: t.bucket }), { abortSignal: signal });
          const c = pab.PublicAccessBlockConfiguration ?? {};
          const off = (["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const).filter((f) => c[f] !== true);
          if (off.length > 0) problems.push(`public access block lacks ${off.join(", ")}`);
        } catch (error) {
          if ((error as { name?: string }).name !== "NoSuchPublicAccessBlockConfiguration") throw error;
          problems.push("no public access block");
        }
        return problems.length === 0
          ? verdict(true, `${t.bucket}: versioning on, all public access blocked`)
          : verdict(false, `${t.bucket}: ${problems.join("; ")}`);
      },
    },
    {
      ...base,
      name: "bucket.configuration",
      async run(signal) {
        // Compared as documents, not text: S3 answers a policy as written, lists of one or not.
        const live = await readBucketSettings(t.s3, t.bucket, () => ({ abortSignal: signal }));
        const differ = settingDifferences(t.settings ?? {}, live);
        if (differ.length === 0) {
          const carried = (Object.keys(SETTING_NAMES) as Array<keyof typeof SETTING_NAMES>).filter((k) => t.settings?.[k] !== undefined).map((k) => SETTING_NAMES[k]);
          return verdict(true, `${t.bucket}: ${carried.length > 0 ? `${carried.join(", ")} as the inventory records them` : "no configuration recorded, none found"}`);
        }
        return verdict(false, `${t.bucket}: ${differ.map((d) => `${SETTING_NAMES[d.setting]} differs from the inventory's (${d.where.join("; ")})`).join("; ")}`);
      },
    },
  ];
}
