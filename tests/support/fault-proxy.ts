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
  /**
   * Passes on the first `bytes` of the first answer whose request matches, then holds the rest
   * until `release()`: `reached` resolves once those bytes are written to the client.
   */
  holdBody(match: (req: IncomingMessage) => boolean, bytes: number): { reached: Promise<void>; release(): void };
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
  let hold: { match: (req: IncomingMessage) => boolean; bytes: number; reached: () => void; released: Promise<void> } | undefined;
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
        const held = hold !== undefined && hold.match(req) ? hold : undefined;
        if (held === undefined) return void upstreamRes.pipe(res);
        hold = undefined;
        let sent = 0;
        upstreamRes.on("data", (chunk: Buffer) => {
          if (sent >= held.bytes) return void res.write(chunk);
          const head = chunk.subarray(0, held.bytes - sent);
          sent += head.length;
          res.write(head);
          if (sent < held.bytes) return;
          upstreamRes.pause();
          held.reached();
          const tail = chunk.subarray(head.length);
          void held.released.then(() => {
            if (tail.length > 0) res.write(tail);
            upstreamRes.resume();
          });
        });
        upstreamRes.on("end", () => res.end());
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
    holdBody: (match, bytes) => {
      let reached!: () => void;
      let release!: () => void;
      const reachedP = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { match, bytes, reached, released };
      return { reached: reachedP, release };
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
