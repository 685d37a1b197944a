import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { virtualClock } from "../../drill/clock";
import { fakeEngine, type FakeEngineOptions } from "../../drill/fake-engine";
import type { BackupReader } from "../../drill/preflight";
import type { DrillOptions } from "../../drill/run";
import type { Verifier, VerificationResult } from "../../drill/verifier";

const made: string[] = [];
/** A reports dir of its own; removed by `removeReportsDirs()` in the suite's `after`. */
export function tempReportsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "drill-reports-"));
  made.push(dir);
  return dir;
}
export function removeReportsDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const passingVerifier: Verifier = async (_outputs, config) => ({
  passed: true,
  checks: config.databases.map((d) => ({ name: "row-count", target: `database:${d.name}`, result: "pass", ms: 5, detail: "rows match" })),
});

export const failingVerifier: Verifier = async () => ({
  passed: false,
  checks: [
    { name: "row-count", target: "database:orders", result: "pass", ms: 5, detail: "rows match" },
    { name: "health", target: "service:api-gateway", result: "fail", ms: 7, detail: "GET /health answered 503" },
  ],
});

/** Every backup 3 minutes old: fresh against the 15-minute RPO. */
export const freshBackups = (now: () => number): BackupReader => ({
  newest: async (db) => ({ what: `latest restorable time of ${db.source.identifier}`, at: new Date(now() - 3 * 60_000) }),
});

/** A drill on the repository's drill stack with a fake engine on a virtual clock. */
export function fakeDrill(overrides: Partial<Omit<FakeEngineOptions, "config" | "plan" | "clock">> = {}, options: Partial<DrillOptions> = {}) {
  const clock = virtualClock();
  const engines: ReturnType<typeof fakeEngine>[] = [];
  const drill: DrillOptions = {
    stack: "drill",
    reportsDir: tempReportsDir(),
    clock,
    engine: (config, plan) => {
      const e = fakeEngine({ config, plan, clock, ...overrides });
      engines.push(e);
      return e;
    },
    verifier: passingVerifier,
    backups: freshBackups(clock.now),
    ...options,
  };
  return { clock, engines, drill };
}

export type { VerificationResult };

/** Well-formed XML, checked by a real parser (Python's expat, on every machine that runs moto). */
export function xmlProblem(xml: string): string | undefined {
  const r = spawnSync("python3", ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())"], { input: xml });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stderr.toString().trim().split("\n").pop();
}
