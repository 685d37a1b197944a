import * as pulumi from "@pulumi/pulumi";
import { errorMessage } from "../scripts/lib/errors";

/**
 * Which RDS snapshot a snapshot restore uses, resolved ONCE and kept in the stack's state.
 *
 * `aws.rds.getSnapshot` is an invoke: it runs on every `pulumi up`, so a later `up` fails when the
 * source and its automated snapshots are gone (the disaster itself, or the retention ran out) and
 * sees a newer "latest" when one appears. Here the lookup runs in a dynamic provider's `check`:
 * at the preview and `up` that create the restore (so a missing snapshot is still refused before
 * anything is created), and never again once the resolution is in state, because `check` hands
 * back the stored answer whenever the request is unchanged. Not a component itself.
 */

/** What a restore asks for: the source and `latest` or a snapshot identifier. */
export interface SnapshotRequest {
  readonly sourceIdentifier: string;
  readonly snapshot: string;
  /** The AWS region to look in. Defaults to the SDK's (AWS_REGION). */
  readonly region?: string;
}

/** One snapshot as DescribeDBSnapshots reports it. */
export interface SnapshotFacts {
  readonly id: string;
  readonly sourceIdentifier: string;
  readonly status: string;
  readonly createTime: string;
}

export interface ResolvedSnapshot {
  readonly snapshotId: string;
  readonly createTime: string;
}

/**
 * The newest `available` snapshot of the source, or the named one (which must be the source's and
 * `available`: a snapshot still `creating` cannot be restored). A string is the problem, with the fix.
 */
export function chooseSnapshot(request: SnapshotRequest, snapshots: readonly SnapshotFacts[]): ResolvedSnapshot | string {
  const source = request.sourceIdentifier;
  const fix = `list them with \`aws rds describe-db-snapshots --db-instance-identifier ${source}\`, then name one under recovery:databases.<name>.snapshot or use method point-in-time`;
  const usable = snapshots.filter((s) => s.sourceIdentifier === source && s.status === "available");
  if (request.snapshot === "latest") {
    const newest = [...usable].sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime))[0];
    return newest ? { snapshotId: newest.id, createTime: newest.createTime } : `no available snapshot of database "${source}" was found; ${fix}`;
  }
  const named = snapshots.find((s) => s.id === request.snapshot);
  if (named === undefined) return `no snapshot "${request.snapshot}" of database "${source}" was found; ${fix}`;
  if (named.sourceIdentifier !== source)
    return `snapshot "${request.snapshot}" is of database "${named.sourceIdentifier}", not "${source}"; ${fix}`;
  if (named.status !== "available") return `snapshot "${request.snapshot}" is ${named.status}, not available yet; wait for it, or ${fix}`;
  return { snapshotId: named.id, createTime: named.createTime };
}

/** The source's snapshots (or the named one) with the AWS SDK; AWS_ENDPOINT_URL points it elsewhere in tests. */
export async function describeSnapshots(request: SnapshotRequest): Promise<SnapshotFacts[]> {
  // Required here, not at the top: the dynamic provider's code is serialized into the state.
  const { RDSClient, paginateDescribeDBSnapshots } = await import("@aws-sdk/client-rds");
  const client = new RDSClient({ region: request.region, maxAttempts: 5 });
  const query =
    request.snapshot === "latest" ? { DBInstanceIdentifier: request.sourceIdentifier } : { DBSnapshotIdentifier: request.snapshot };
  const found: SnapshotFacts[] = [];
  try {
    for await (const page of paginateDescribeDBSnapshots({ client }, query))
      for (const s of page.DBSnapshots ?? [])
        found.push({
          id: s.DBSnapshotIdentifier ?? "",
          sourceIdentifier: s.DBInstanceIdentifier ?? "",
          status: s.Status ?? "",
          createTime: s.SnapshotCreateTime?.toISOString() ?? "",
        });
  } catch (error) {
    // A named snapshot that does not exist is an answer, not a failure.
    if ((error as { name?: string }).name !== "DBSnapshotNotFoundFault") throw error;
  } finally {
    client.destroy();
  }
  return found;
}

type Inputs = Record<string, unknown>;
const requestOf = (inputs: Inputs): SnapshotRequest => ({
  sourceIdentifier: String(inputs.sourceIdentifier),
  snapshot: String(inputs.snapshot),
  region: typeof inputs.region === "string" ? inputs.region : undefined,
});
const sameRequest = (a: Inputs, b: Inputs): boolean => a.sourceIdentifier === b.sourceIdentifier && a.snapshot === b.snapshot;

/**
 * check: a stored resolution for the same request is kept as it is (no AWS call); otherwise the
 * lookup runs and its problem becomes a check failure (one line, no stack trace). diff: only a new
 * resolution is a change. create: records what check resolved.
 */
export const snapshotResolutionProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Inputs, news: Inputs) {
    if (typeof olds.snapshotId === "string" && sameRequest(olds, news))
      return { inputs: { ...news, snapshotId: olds.snapshotId, createTime: olds.createTime } };
    const request = requestOf(news);
    let chosen: ResolvedSnapshot | string;
    try {
      chosen = chooseSnapshot(request, await describeSnapshots(request));
    } catch (error) {
      const cause = errorMessage(error).split("\n")[0];
      chosen = `could not list the snapshots of database "${request.sourceIdentifier}" (${cause}); check the AWS credentials and aws:region`;
    }
    if (typeof chosen === "string") return { failures: [{ property: "snapshot", reason: chosen }] };
    return { inputs: { ...news, ...chosen } };
  },
  async diff(_id: string, olds: Inputs, news: Inputs) {
    const changed = olds.snapshotId !== news.snapshotId;
    return { changes: changed, replaces: changed ? ["snapshotId"] : [] };
  },
  async create(inputs: Inputs) {
    return { id: `${String(inputs.sourceIdentifier)}/${String(inputs.snapshotId)}`, outs: inputs };
  },
};

/** The type token the engine sees for the resolution (every dynamic resource shares it). */
export const SNAPSHOT_RESOLUTION_KIND = "rds-snapshot";

/** The resolution as a resource: its outputs are what the restore used, kept across later `up`s. */
export class SnapshotResolution extends pulumi.dynamic.Resource {
  public declare readonly snapshotId: pulumi.Output<string>;
  public declare readonly createTime: pulumi.Output<string>;

  constructor(name: string, request: SnapshotRequest, opts?: pulumi.CustomResourceOptions) {
    super(
      snapshotResolutionProvider,
      name,
      { resolution: SNAPSHOT_RESOLUTION_KIND, ...request, region: request.region, snapshotId: undefined, createTime: undefined },
      opts,
    );
  }
}
