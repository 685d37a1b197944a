import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsName, throwIfProblems } from "./arg-checks";
import { COMPONENT_TYPES } from "./names";
import { namespaceProblems } from "../stacks/checks/namespace";

export interface ClusterConfigArgs {
  /** The namespace the restore creates and fills. Never production's own. */
  readonly namespace: string;
  /** Production's namespace, only to refuse reusing it. */
  readonly sourceNamespace: string;
  /**
   * The folder of Kubernetes manifests kept in Git (runbook 5A), relative to the project root;
   * every `*.yaml` in it is applied into `namespace`. The manifests must not name a namespace.
   */
  readonly manifests: string;
  /** The project root the folder is relative to. Defaults to the current directory (where `pulumi` runs). */
  readonly root?: string;
  /** The stack, for the namespace's labels. */
  readonly stack: string;
}

/** Pure checks of ClusterConfigArgs; an empty list means valid. */
export function validateClusterConfigArgs(args: ClusterConfigArgs): string[] {
  const problems: string[] = [];
  if (!isDnsName(args.namespace, 63))
    problems.push(`namespace "${args.namespace}" is not a valid Kubernetes namespace (lowercase letters, digits, single hyphens, at most 63 characters)`);
  // The message names the namespace itself, as the loader's does for recovery:namespace.
  problems.push(...namespaceProblems(args.namespace, args.sourceNamespace, `${args.sourceNamespace}-recovery`).map((p) => p.message));
  if (args.manifests.trim() === "" || isAbsolute(args.manifests) || args.manifests.split(/[\\/]/).includes(".."))
    problems.push(`manifests "${args.manifests}" must be a folder inside the repository, like "k8s/production"`);
  return problems;
}

/**
 * The `cluster-config` step: the namespace and the Git-kept manifests (RBAC, config maps, the
 * Jobs' service account), applied before any secret, Job or service lands in the namespace.
 */
export class ClusterConfig extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The manifest files applied, relative to the project root. */
  public readonly files: string[];

  constructor(name: string, args: ClusterConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.ClusterConfig, name, {}, opts);
    throwIfProblems("ClusterConfig", validateClusterConfigArgs(args), this);

    const folder = join(args.root ?? process.cwd(), args.manifests);
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
    if (files.length === 0)
      throw new pulumi.ResourceError(`ClusterConfig: no *.yaml manifests in "${args.manifests}"; keep the cluster's manifests there in Git`, this);
    this.files = files.map((f) => join(args.manifests, f));

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace, labels: { "recovery/stack": args.stack } } },
      { parent: this },
    );
    // A provider of its own pins the manifests to the restore's namespace, whatever the
    // operator's kubeconfig context says: a manifest without a namespace never lands in prod's.
    const provider = new k8s.Provider(`${name}-provider`, { namespace: args.namespace }, { parent: this });
    new k8s.yaml.v2.ConfigGroup(
      `${name}-manifests`,
      { files: this.files },
      { parent: this, provider, dependsOn: [ns] },
    );

    this.namespace = ns.metadata.name;
    this.registerOutputs({ namespace: this.namespace });
  }
}
