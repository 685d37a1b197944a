import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

const OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

type Props = Record<string, unknown>;

const notApplicable = (): never => {
  throw new Error("not applicable");
};

/** A resource in CrossGuard's shape, for stack policies. */
export function policyResource(
  type: string,
  name: string,
  props: Props,
  extra: { dependencies?: PolicyResource[]; propertyDependencies?: Record<string, PolicyResource[]>; opts?: Partial<PolicyResourceOptions> } = {},
): PolicyResource {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:test::recovery-stacks::${type}::${name}`,
    opts: { ...OPTS, ...extra.opts },
    dependencies: extra.dependencies ?? [],
    propertyDependencies: extra.propertyDependencies ?? {},
    isType: () => false,
    asType: () => undefined,
  } as PolicyResource;
}

/** Like pulumi-policy-aws's helper: validation args for one resource, with the pack config given. */
export function createResourceValidationArgs(
  type: string,
  props: Props,
  config: Props = {},
  opts: Partial<PolicyResourceOptions> = {},
): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:test::recovery-stacks::${type}::under-test`,
    name: "under-test",
    opts: { ...OPTS, ...opts },
    stackTags: new Map(),
    isType: () => false,
    asType: (() => undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

/** The messages a resource policy reports for one resource. */
export async function resourceViolations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
  const messages: string[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const v of validations) await v(args, (m) => messages.push(m));
  return messages;
}

/** The messages a stack policy reports. */
export async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[], config: Props = {}): Promise<string[]> {
  const messages: string[] = [];
  await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable }, (m) =>
    messages.push(m),
  );
  return messages;
}

/** Deep copy with one property path changed (`undefined` deletes it). */
export function withProp(props: Props, path: string, value: unknown): Props {
  const copy = structuredClone(props);
  const keys = path.split(".");
  let node = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}
