import * as pulumi from "@pulumi/pulumi";
import type { SmokeTest } from "../stacks/schema";
import { throwIfProblems } from "./arg-checks";
import { job, jobTimeout } from "./kubernetes-job";
import { COMPONENT_TYPES } from "./names";

/** A small image with `curl`, `sh` and `grep`; the smoke tests need nothing more. */
export const DEFAULT_SMOKE_IMAGE = "curlimages/curl:8.11.1";

export interface SmokeGateArgs {
  /** The gateway's in-cluster URL; the checks go through it, as users' requests will. */
  readonly gatewayUrl: pulumi.Input<string>;
  /** The post-restore checks (runbook 004's verification checklist). At least one. */
  readonly tests: readonly SmokeTest[];
  readonly namespace: pulumi.Input<string>;
  /** Defaults to DEFAULT_SMOKE_IMAGE. */
  readonly image?: string;
  /** The plan's estimate; the Job may take three times as long (at least 10 minutes). Defaults to `5`. */
  readonly estimateMinutes?: number;
}

/** Pure checks of SmokeGateArgs; an empty list means valid. */
export function validateSmokeGateArgs(args: SmokeGateArgs): string[] {
  const problems: string[] = [];
  if (args.tests.length === 0) problems.push("tests is empty; traffic is switched only after at least one smoke test passed (recovery:smoke)");
  const names = args.tests.map((t) => t.name);
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`smoke test "${n}" is listed twice; give each test its own name`);
  for (const t of args.tests) if (!t.path.startsWith("/")) problems.push(`smoke test "${t.name}": path "${t.path}" must start with "/"`);
  return problems;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell script the Job runs: every check against $GATEWAY_URL, each reported, exit 1 if any
 * failed (so the Job fails and `pulumi up` stops before traffic). Pure, so it is tested as text.
 */
export function smokeScript(tests: readonly SmokeTest[]): string {
  const lines = ["set -u", "fail=0"];
  for (const t of tests) {
    const method = t.method === "HEAD" ? "--head" : `-X ${t.method}`;
    const body = t.body === undefined ? "" : ` -H 'content-type: application/json' --data ${quote(t.body)}`;
    lines.push(
      `code=$(curl -sS --max-time 20 --retry 5 --retry-connrefused --retry-delay 3 -o /tmp/body -w '%{http_code}' ${method}${body} "$GATEWAY_URL"${quote(t.path)}) || code=000`,
      `if [ "$code" != "${t.expectStatus}" ]; then echo ${quote(`FAIL ${t.name}: status `)}"$code"${quote(`, want ${t.expectStatus}`)}; fail=1;` +
        (t.bodyContains === undefined
          ? ""
          : ` elif ! grep -qF -- ${quote(t.bodyContains)} /tmp/body; then echo ${quote(`FAIL ${t.name}: body lacks ${t.bodyContains}`)}; fail=1;`) +
        ` else echo ${quote(`ok ${t.name}`)}; fi`,
    );
  }
  lines.push("exit $fail");
  return lines.join("\n");
}

/**
 * The `smoke` step: the smoke tests as a Job through the gateway. The Kubernetes provider waits
 * for the Job to complete; a failed check fails `pulumi up` here, before any traffic step.
 */
export class SmokeGate extends pulumi.ComponentResource {
  public readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: SmokeGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.SmokeGate, name, {}, opts);
    throwIfProblems("SmokeGate", validateSmokeGateArgs(args), this);

    const smoke = job(
      `${name}-job`,
      {
        namespace: args.namespace,
        image: args.image ?? DEFAULT_SMOKE_IMAGE,
        command: ["/bin/sh", "-c", smokeScript(args.tests)],
        env: { GATEWAY_URL: args.gatewayUrl },
        labels: { "recovery/step": name },
        timeoutMinutes: jobTimeout(args.estimateMinutes ?? 5),
        // Safe to run again (the checks only read): after a fix, the next `pulumi up` re-runs them
        // instead of awaiting the failed Job forever.
        replaceUnready: true,
      },
      { parent: this },
    );
    this.jobName = smoke.metadata.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
