/**
 * The CrossGuard pack checked offline: the program run under the mocks (pulumi-mocks.ts), its
 * registrations handed to every policy as `pulumi preview --policy-pack` would (`npm run policy:check`).
 */
import type { PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import type { EnforcementLevel } from "@pulumi/policy";
import { componentName } from "../components/names";
import { packPolicies, runPolicies, type PackConfig, type Violation } from "../policies/run";
import { packConfigFor } from "../policies/stack-config";
import { loadStackFromConfig, readStackConfig, type RecoveryConfig } from "../stacks";
import { runProgram, type ProgramRun, type RecordedResource } from "./pulumi-mocks";
import { tableLines } from "../scripts/lib/table";

/** The gateway's Deployment, as ServiceRedeployment names it (`service-<name>-deployment`). */
export const gatewayDeploymentName = (config: RecoveryConfig): string =>
  `${componentName({ kind: "service", name: config.services.find((s) => s.gateway)?.name ?? "gateway" })}-deployment`;

/** The pack config for a stack: what `npm run policy:config` writes to policies/config/<stack>.json. */
export function packConfigForStack(config: RecoveryConfig): PackConfig {
  return packConfigFor(config, gatewayDeploymentName(config));
}

/** Recorded registrations in CrossGuard's shape, dependencies linked to each other. */
export function toPolicyResources(run: ProgramRun): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const resources = run.resources.map((r): PolicyResource => {
    const opts: PolicyResourceOptions = {
      protect: r.protect,
      ignoreChanges: [...r.ignoreChanges],
      aliases: [],
      additionalSecretOutputs: [...r.additionalSecretOutputs],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    };
    const resource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.inputs,
      opts,
      dependencies: [] as PolicyResource[],
      propertyDependencies: {} as Record<string, PolicyResource[]>,
      isType: () => false,
      asType: () => undefined,
    } as unknown as PolicyResource;
    byUrn.set(r.urn, resource);
    return resource;
  });
  run.resources.forEach((r: RecordedResource, i) => {
    const resource = resources[i] as { dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]>; parent?: PolicyResource };
    const link = (urns: readonly string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    resource.dependencies = link(r.dependencies);
    resource.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, link(urns)]));
    resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
  });
  return resources;
}

/** Leaf keys that name a credential (`connectionStrings.orders`, `…password`), not ones that name where it is. */
const CREDENTIAL_KEY = /(^|\.)(connectionStrings\.[^.]+|[^.]*(password|token|connectionString|credential|apiKey)[^.]*)$/i;
const URL_WITH_PASSWORD = /:\/\/[^/:@\s]+:[^@\s]+@/;

async function outputSecrecy(value: unknown, path: string, out: Violation[]): Promise<void> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as pulumi.Output<unknown> & { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    const [secret, resolved] = await Promise.all([o.isSecret, o.promise()]);
    if (secret) return;
    if (CREDENTIAL_KEY.test(path) || (typeof resolved === "string" && URL_WITH_PASSWORD.test(resolved)))
      out.push({ policy: "credentials-are-secret", level: "mandatory", message: `stack output ${path} holds a credential and must be a Pulumi secret: wrap it in pulumi.secret` });
    else await outputSecrecy(resolved, path, out);
    return;
  }
  if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) await outputSecrecy(v, path ? `${path}.${k}` : k, out);
  else if (typeof value === "string" && URL_WITH_PASSWORD.test(value))
    out.push({ policy: "credentials-are-secret", level: "mandatory", message: `stack output ${path} holds a credential and must be a Pulumi secret: wrap it in pulumi.secret` });
}

/**
 * What CrossGuard cannot see (it gets values unwrapped) and the mocks can: whether the values in
 * Kubernetes Secrets, and the stack outputs holding credentials, really are Pulumi secrets.
 */
async function secrecyViolations(run: ProgramRun, outputs: Record<string, unknown>): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const r of run.ofType("kubernetes:core/v1:Secret")) {
    for (const field of ["data", "stringData"]) {
      const values = r.inputs[field] as Record<string, unknown> | undefined;
      for (const key of Object.keys(values ?? {}))
        if (!r.secretPaths.some((p) => p === field || p === `${field}.${key}`))
          out.push({ policy: "credentials-are-secret", level: "mandatory", message: `${field}.${key} is not a Pulumi secret: wrap it in pulumi.secret`, urn: r.urn, resource: r.name });
    }
  }
  await outputSecrecy(outputs, "", out);
  return out;
}

/** One policy's outcome over the whole stack. */
export interface PolicyOutcome {
  readonly policy: string;
  /** What it holds, in the pack's words. */
  readonly description: string;
  readonly level: EnforcementLevel;
  /** `held`: it ran and found nothing; `violated`: see `violations`; `disabled` by the pack config. */
  readonly status: "held" | "violated" | "disabled";
  readonly violations: number;
}

export interface PolicyCheckResult {
  readonly stack: string;
  readonly resources: number;
  /** Every policy of the pack, in the pack's order: which held, which were violated, which are off. */
  readonly policies: readonly PolicyOutcome[];
  readonly violations: readonly Violation[];
  /** True when no mandatory policy is violated. */
  readonly passed: boolean;
}

/** Each policy of the pack against the violations found, so a reader sees what held, not only what failed. */
export function policyOutcomes(config: PackConfig, violations: readonly Violation[]): PolicyOutcome[] {
  return packPolicies(config).map(({ policy, description, level }) => {
    const count = violations.filter((v) => v.policy === policy).length;
    return { policy, description, level, status: level === "disabled" ? "disabled" : count > 0 ? "violated" : "held", violations: count };
  });
}

/** The table for people: every policy with its outcome, then each violated policy's violations. */
export function renderPolicyCheck(result: PolicyCheckResult): string {
  const held = result.policies.filter((p) => p.status === "held").length;
  const lines = [`Policies over stack ${result.stack}: ${result.resources} resources checked, ${held} of ${result.policies.length} policies held`, ""];
  const rows = result.policies.map((p) => {
    const status = p.status === "violated" ? "VIOLATED" : p.status;
    const what = p.status === "violated" ? `${p.violations} violation${p.violations === 1 ? "" : "s"} (below)` : p.status === "disabled" ? "off in this stack's pack config" : p.description;
    return [status, p.policy, p.level, what];
  });
  // The status column is as wide as its longest word (VIOLATED, disabled) even when all held.
  lines.push(...tableLines(rows, { columns: [{ minWidth: "VIOLATED".length }], indent: "  " }));
  for (const p of result.policies.filter((x) => x.status === "violated")) {
    lines.push("", `${p.policy} (${p.level}): ${p.violations} violation${p.violations === 1 ? "" : "s"}`);
    for (const v of result.violations.filter((x) => x.policy === p.policy)) lines.push(`  ${v.resource ?? "(stack)"}: ${v.message}`);
  }
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  lines.push("", result.passed ? `passed: no mandatory policy violated (${result.violations.length} advisory)` : `FAILED: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}`);
  return lines.join("\n");
}

export interface PolicyCheckOptions {
  /** The stack's config map; defaults to Pulumi.<stack>.yaml's. */
  readonly config?: Record<string, unknown>;
  /**
   * Registers more resources after the program, under the same mocks, and may return more stack
   * outputs (tests: a deliberately broken program).
   */
  readonly alsoRegister?: () => Record<string, unknown> | void;
}

/** Runs the program under Pulumi's mocks and the whole pack over what it registers. */
export async function checkStackPolicies(stack: string, options: PolicyCheckOptions = {}): Promise<PolicyCheckResult> {
  const raw = options.config ?? readStackConfig(stack);
  const config = loadStackFromConfig(stack, raw);
  const run = await runProgram(stack, { config: raw });
  let outputs = run.outputs;
  if (options.alsoRegister) {
    outputs = { ...outputs, ...(options.alsoRegister() ?? {}) };
    await run.settle();
  }
  const packConfig = packConfigForStack(config);
  const violations = [...(await runPolicies(toPolicyResources(run), packConfig)), ...(await secrecyViolations(run, outputs))];
  return {
    stack,
    resources: run.resources.length,
    policies: policyOutcomes(packConfig, violations),
    violations,
    passed: !violations.some((v) => v.level === "mandatory"),
  };
}
