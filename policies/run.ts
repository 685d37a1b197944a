import type {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./all";

/** Pack config as `--policy-pack-config` takes it: a level, or an object with a level and parameters. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
  readonly resource?: string;
}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

function levelOf(policy: Policy, config: PackConfig): EnforcementLevel {
  const entry = config[policy.name];
  if (typeof entry === "string") return entry;
  return entry?.enforcementLevel ?? (typeof config.all === "string" ? config.all : undefined) ?? policy.enforcementLevel ?? "advisory";
}

/** A policy's parameters: its schema's defaults, overridden by the pack config, as CrossGuard does. */
function paramsOf(policy: Policy, config: PackConfig): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {})
      .filter(([, s]) => s.default !== undefined)
      .map(([k, s]) => [k, s.default]),
  );
  const entry = config[policy.name];
  const given = typeof entry === "object" && entry !== null ? { ...entry } : {};
  delete given.enforcementLevel;
  return { ...defaults, ...given };
}

/** A policy of the pack with the level the pack config gives it (`disabled` included). */
export interface PackPolicy {
  readonly policy: string;
  readonly description: string;
  readonly level: EnforcementLevel;
}

/** Every policy of the pack, in the pack's order, at the level `config` gives it. */
export function packPolicies(config: PackConfig = {}): PackPolicy[] {
  return [...resourcePolicies, ...stackPolicies].map((p) => ({ policy: p.name, description: p.description ?? "", level: levelOf(p, config) }));
}

function notApplicable(): never {
  throw new NotApplicable();
}
class NotApplicable extends Error {}

/**
 * Runs the pack the way the engine does, over resources already in CrossGuard's shape: each
 * resource policy on each resource, each stack policy once over all of them.
 */
export async function runPolicies(resources: readonly PolicyResource[], config: PackConfig = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of resourcePolicies) {
    const level = levelOf(policy, config);
    if (level === "disabled") continue;
    const params = paramsOf(policy, config);
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const r of resources) {
      const isType = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === r.type;
      const args: ResourceValidationArgs = {
        type: r.type,
        props: r.props,
        urn: r.urn,
        name: r.name,
        opts: r.opts,
        provider: r.provider,
        stackTags: new Map<string, string>(),
        isType,
        asType: ((cls: unknown) => (isType(cls) ? r.props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => params as T,
        notApplicable,
      };
      for (const validate of validations) {
        try {
          await validate(args, (message, urn) => violations.push({ policy: policy.name, level, message, urn: urn ?? r.urn, resource: r.name }));
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    }
  }
  for (const policy of stackPolicies) {
    const level = levelOf(policy, config);
    if (level === "disabled") continue;
    const params = paramsOf(policy, config);
    const args = {
      resources: [...resources],
      stackTags: new Map<string, string>(),
      getConfig: <T extends object>() => params as T,
      notApplicable,
    };
    try {
      await policy.validateStack(args, (message, urn) =>
        violations.push({ policy: policy.name, level, message, urn, resource: resources.find((r) => r.urn === urn)?.name }),
      );
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return violations;
}
