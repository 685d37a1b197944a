// A latency-injecting HTTP proxy in front of the bench's S3 server: each request waits, before it
// is forwarded, as long as the same request takes against real S3. Both contenders (ours and
// `aws s3 sync --endpoint-url`) go through it. Test infrastructure, not an S3 client: requests
// and answers pass through unchanged.
//
// Where the delays come from:
// - Same region. AWS's S3 performance guidance ("Best practices design patterns: optimizing
//   Amazon S3 performance", section "Timeouts and retries for latency-sensitive applications",
//   https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html)
//   gives median latencies "often in the tens of milliseconds" for requests under 512 KB, and S3
//   Express One Zone is "single-digit millisecond … up to 10x faster than S3 Standard"
//   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-performance.html). We take
//   30 ms for a request S3 answers from metadata or one read (LIST page, HEAD, GET, create/complete/
//   abort upload), and 60 ms for a server-side copy, which is a read and a durable write on S3's side.
// - Cross region. Seed 004's replica is in eu-west-1 and production in eu-west-2; the sync Job
//   runs in eu-west-2 beside the target. AWS publishes no inter-region RTT; public measurements
//   between EC2 instances (e.g. cloudping.co's matrix, and the heat maps in
//   https://medium.com/@sachinkagarwal/public-cloud-inter-region-network-latency-as-heat-maps-134e22a5ff19)
//   put Ireland–London at 10–15 ms. We add 12 ms to every request that reaches the other region:
//   a LIST or HEAD of the replica, and every copy whose source is the replica (S3 in eu-west-2
//   reads it from eu-west-1).
// - Bytes. A part copy also moves its bytes between the regions; we add 10 ms per MB (100 MB/s
//   per request, an assumption: AWS publishes no per-request copy rate). For objects of 1-64 KB it
//   is under 1 ms; an 8 MB part copy waits 80 ms more.
// So a small cross-region CopyObject takes 72 ms (plus the server's own time), inside the
// "tens of milliseconds" and below the 100-200 ms first-byte figure often quoted for S3 Standard:
// the delays are on the generous side for the AWS CLI, which waits for each one 10 at a time.
import { createServer, request, type IncomingMessage, type Server } from "node:http";

export type LatencyProfile = "same-region" | "cross-region" | "none";

export interface Delays {
  readonly requestMs: number;
  readonly copyMs: number;
  readonly crossRegionMs: number;
  readonly msPerMb: number;
}

export const PROFILES: Record<LatencyProfile, Delays> = {
  "same-region": { requestMs: 30, copyMs: 60, crossRegionMs: 0, msPerMb: 10 },
  "cross-region": { requestMs: 30, copyMs: 60, crossRegionMs: 12, msPerMb: 10 },
  none: { requestMs: 0, copyMs: 0, crossRegionMs: 0, msPerMb: 0 },
};

/** The delay for one request: `remoteBuckets` are the buckets in the other region (the replica). */
export function delayFor(req: IncomingMessage, delays: Delays, remoteBuckets: ReadonlySet<string>): number {
  const bucket = (req.url ?? "").slice(1).split(/[/?]/)[0];
  const copySource = req.headers["x-amz-copy-source"];
  if (typeof copySource === "string") {
    const sourceBucket = decodeURIComponent(copySource).replace(/^\//, "").split("/")[0];
    const range = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers["x-amz-copy-source-range"] ?? ""));
    const bytes = range ? Number(range[2]) - Number(range[1]) + 1 : 0;
    const remote = remoteBuckets.has(sourceBucket) || remoteBuckets.has(bucket);
    return delays.copyMs + (remote ? delays.crossRegionMs : 0) + (delays.msPerMb * bytes) / 1024 / 1024;
  }
  return delays.requestMs + (remoteBuckets.has(bucket) ? delays.crossRegionMs : 0);
}

export interface LatencyProxy {
  readonly endpoint: string;
  /** Requests forwarded, by method and kind (`copy`, `list`, `head`, …), for "where the time goes". */
  readonly counts: Map<string, number>;
  stop(): Promise<void>;
}

function kindOf(req: IncomingMessage): string {
  const url = req.url ?? "";
  if (req.headers["x-amz-copy-source"]) return /[?&]uploadId=/.test(url) ? "upload-part-copy" : "copy-object";
  if (req.method === "GET" && /[?&]list-type=2/.test(url)) return "list-objects-v2";
  if (req.method === "GET" && /[?&]uploads/.test(url)) return "list-uploads";
  if (req.method === "HEAD") return /^\/[^/?]+\/?(\?|$)/.test(url) ? "head-bucket" : "head-object";
  if (req.method === "POST") return /[?&]uploads/.test(url) ? "create-upload" : "complete-upload";
  return `${req.method?.toLowerCase()}-other`;
}

/** `upstreams`: the server's workers, taken in turn (they share one store). */
export async function startLatencyProxy(upstreams: readonly string[], delays: Delays, remoteBuckets: ReadonlySet<string>): Promise<LatencyProxy> {
  const targets = upstreams.map((u) => new URL(u));
  let turn = 0;
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const target = targets[turn++ % targets.length];
    const kind = kindOf(req);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    // The request body (none for the sync's requests) waits in the socket buffer meanwhile.
    setTimeout(() => {
      const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    }, delayFor(req, delays, remoteBuckets));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
