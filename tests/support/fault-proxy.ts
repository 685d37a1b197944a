import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { freePort } from "./free-port";

/** What the proxy decided for one request: pass it on, or answer with this status and S3 error. */
export type Fault = { status: number; code: string } | undefined;

/** A local HTTP proxy in front of moto that counts requests and can answer some with errors. */
export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen, by kind (`copy`, `put`, `get`, `list`, `delete`, `other`). */
  readonly counts: Record<string, number>;
  /** Keys (path after the bucket) of every server-side copy request forwarded to moto. */
  readonly copiedPaths: string[];
  setRule(rule: (req: IncomingMessage, kind: string) => Fault): void;
  stop(): Promise<void>;
}

function kindOf(req: IncomingMessage): string {
  const url = req.url ?? "";
  if (req.headers["x-amz-copy-source"]) return "copy";
  if (req.method === "PUT") return "put";
  if (req.method === "DELETE") return "delete";
  if (req.method === "GET" && /[?&](list-type|versions|uploads)/.test(url)) return "list";
  if (req.method === "GET" || req.method === "HEAD") return "get";
  return "other";
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const port = await freePort();
  const target = new URL(upstream);
  const counts: Record<string, number> = {};
  const copiedPaths: string[] = [];
  let rule: (req: IncomingMessage, kind: string) => Fault = () => undefined;
  const server: Server = createServer((req, res) => {
    const kind = kindOf(req);
    counts[kind] = (counts[kind] ?? 0) + 1;
    const fault = rule(req, kind);
    if (fault) {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message></Error>`);
      return;
    }
    if (kind === "copy") copiedPaths.push(decodeURIComponent((req.url ?? "").split("?")[0]));
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    copiedPaths,
    setRule: (r) => (rule = r),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
