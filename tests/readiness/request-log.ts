import { createServer, request, type Server } from "node:http";
import { freePort } from "../support/free-port";

/** A proxy in front of moto that records every request as `service Action` (S3: `s3 METHOD subresource`). */
export interface RequestLog {
  readonly endpoint: string;
  readonly requests: string[];
  stop(): Promise<void>;
}

/** What an AWS request does, from how the SDK sends it: the query action, the JSON target, or S3's method. */
function describe(method: string, url: string, headers: Record<string, string | string[] | undefined>, body: string): string {
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ""))?.[1] ?? "unknown";
  const target = headers["x-amz-target"];
  if (typeof target === "string") return `${service} ${target.split(".").pop()}`;
  const action = new URLSearchParams(body).get("Action");
  if (action) return `${service} ${action}`;
  const query = new URL(url, "http://x").searchParams;
  const sub = [...query.keys()].filter((k) => !k.startsWith("x-id") && !k.startsWith("X-Amz")).sort().join("&");
  return `${service} ${method}${sub ? ` ?${sub}` : ""}`;
}

export async function startRequestLog(upstream: string): Promise<RequestLog> {
  const port = await freePort();
  const target = new URL(upstream);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push(describe(req.method ?? "GET", req.url ?? "/", req.headers, body.toString("utf8")));
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
