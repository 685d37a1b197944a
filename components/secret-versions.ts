import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsName, throwIfProblems } from "./arg-checks";
import { K8S_SECRET_OUTPUTS, secretStringData } from "./secret-values";
import { COMPONENT_TYPES } from "./names";
import { secretVersionProblems } from "../stacks/checks/secret";
import { describeProblem } from "../stacks/problems";
import { DEFAULT_SECRET_STAGE } from "../stacks/secret-stages";

/** The Kubernetes Secret's annotation that keeps the Secrets Manager version it was restored from. */
export const RESTORED_VERSION_ANNOTATION = "recovery/secret-version-id";

/**
 * What a second `pulumi up` leaves as it was. The version lookup runs on every preview and up;
 * after production rotates again it answers a newer version. For these paths the engine puts the
 * previous inputs back before the provider sees them (processIgnoreChanges, ahead of Check), so the
 * restored value stays: pulumi-kubernetes would otherwise replace the Secret (its data is
 * replace-only unless the provider sets enableSecretMutable) and pods started before and after
 * would hold different secrets. Both `stringData` and `data`, because the provider's Check folds
 * stringData into base64 `data`, which is all the state keeps: ignoring only one leaves a diff.
 */
export const PINNED_K8S_SECRET_PATHS: readonly string[] = [
  "stringData",
  "data",
  `metadata.annotations["${RESTORED_VERSION_ANNOTATION}"]`,
];
/** The recovery secret's description names the version; its value is replace-only (ForceNew). */
export const PINNED_RECOVERY_SECRET_PATHS: readonly string[] = ["description"];
export const PINNED_RECOVERY_VERSION_PATHS: readonly string[] = ["secretString"];

export interface SecretVersionsArgs {
  /** The production secret to read (never written): its name or ARN in Secrets Manager. */
  readonly secretId: string;
  /**
   * A staging label to restore. Defaults to `AWSCURRENT`, the value production runs now, when
   * `versionId` is not given. `AWSPREVIOUS` is the superseded value (seed 004: only for a secret
   * overwritten or rotated wrongly); it exists only after a rotation. Custom labels are allowed;
   * a near-miss of AWS's own (`AWSPREVIUOS`, `awscurrent`) is refused.
   */
  readonly versionStage?: string;
  /** A version id to restore instead of a stage. Defaults to none. */
  readonly versionId?: string;
  /**
   * When set, the restored value is written as the current version of this NEW secret
   * (runbook 4A step 3, without overwriting the source). Defaults to no recovery secret.
   */
  readonly recoverySecretId?: string;
  /** The namespace of the Kubernetes Secret. */
  readonly namespace: pulumi.Input<string>;
  /** The Kubernetes Secret's name. */
  readonly kubernetesSecretName: string;
  /** The key the value is stored under (the environment variable services read, e.g. `JWT_SECRET`). */
  readonly key: string;
  /**
   * Values from restored resources pushed into the same Kubernetes Secret (DATABASE_URL,
   * REDIS_URL, bucket names). Each is stored as a secret. They are written when the Secret is
   * created and then kept with the restored value (the Secret's data is pinned). Defaults to none.
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Names of production resources, which a recovery secret must never take. Defaults to none. */
  readonly sourceNames?: readonly string[];
}

/** Pure checks of SecretVersionsArgs; an empty list means valid. */
export function validateSecretVersionsArgs(args: SecretVersionsArgs): string[] {
  const problems: string[] = [];
  if (args.secretId.trim() === "") problems.push("secretId must name the production secret to read");
  problems.push(...secretVersionProblems(args).map(describeProblem));
  if (args.recoverySecretId !== undefined && (args.recoverySecretId === args.secretId || (args.sourceNames ?? []).includes(args.recoverySecretId)))
    problems.push(`recoverySecretId "${args.recoverySecretId}" is a production secret; the restored value goes to a new secret, like "${args.secretId}-recovery"`);
  if (!isDnsName(args.kubernetesSecretName, 253))
    problems.push(`kubernetesSecretName "${args.kubernetesSecretName}" is not a valid Kubernetes name (lowercase letters, digits, hyphens)`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args.key))
    problems.push(`key "${args.key}" is not an environment variable name; use letters, digits and underscores, like JWT_SECRET`);
  if (args.values !== undefined && Object.keys(args.values).includes(args.key))
    problems.push(`values must not repeat key "${args.key}"; it holds the restored secret`);
  return problems;
}

/**
 * A `secret` step (runbook 4A): the chosen version of a production secret, read with the
 * provider's lookup, optionally written as the current version of a recovery secret, and pushed
 * into a Kubernetes Secret. Every value stays a Pulumi secret. Resolved once: what the first
 * `pulumi up` restored is kept (PINNED_* paths) and reported as `restoredVersionId`; a later
 * lookup that answers another version only logs a warning with the way to restore it on purpose.
 */
export class SecretVersions extends pulumi.ComponentResource {
  /** The Kubernetes Secret services take their environment from. */
  public readonly kubernetesSecretName: pulumi.Output<string>;
  /** The Secrets Manager version the Kubernetes Secret holds: the one restored, read back from it. */
  public readonly restoredVersionId: pulumi.Output<string>;
  /** The value this run's lookup read (a secret); what the Kubernetes Secret holds after the first up. */
  public readonly value: pulumi.Output<string>;
  /** The recovery secret's ARN, when one was written. */
  public readonly recoverySecretArn?: pulumi.Output<string>;

  constructor(name: string, args: SecretVersionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.SecretVersions, name, {}, opts);
    throwIfProblems("SecretVersions", validateSecretVersionsArgs(args), this);

    const selector = args.versionId !== undefined ? `version ${args.versionId}` : (args.versionStage ?? DEFAULT_SECRET_STAGE);
    const version = aws.secretsmanager.getSecretVersionOutput(
      args.versionId !== undefined
        ? { secretId: args.secretId, versionId: args.versionId }
        : { secretId: args.secretId, versionStage: args.versionStage ?? DEFAULT_SECRET_STAGE },
      { parent: this },
    );
    this.value = pulumi.secret(version.secretString);

    const pinned: pulumi.Resource[] = [];
    if (args.recoverySecretId !== undefined) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-recovery-secret`,
        { name: args.recoverySecretId, description: pulumi.interpolate`Restored from ${args.secretId} version ${version.versionId}` },
        { parent: this, ignoreChanges: [...PINNED_RECOVERY_SECRET_PATHS] },
      );
      const written = new aws.secretsmanager.SecretVersion(
        `${name}-recovery-version`,
        { secretId: secret.id, secretString: this.value },
        { parent: this, ignoreChanges: [...PINNED_RECOVERY_VERSION_PATHS] },
      );
      this.recoverySecretArn = secret.arn;
      pinned.push(written);
    }

    const k8sSecret = new k8s.core.v1.Secret(
      `${name}-k8s`,
      {
        metadata: {
          name: args.kubernetesSecretName,
          namespace: args.namespace,
          annotations: { [RESTORED_VERSION_ANNOTATION]: version.versionId },
        },
        type: "Opaque",
        stringData: secretStringData({ ...(args.values ?? {}), [args.key]: this.value }),
      },
      {
        parent: this,
        additionalSecretOutputs: K8S_SECRET_OUTPUTS,
        ignoreChanges: [...PINNED_K8S_SECRET_PATHS],
        // `pulumi up --replace` (the deliberate re-restore) does not ask the provider, which would
        // answer delete-before-replace for a named Secret; created first, the new Secret collides
        // with the old one's name (or, where the provider upserts, deleting the old one removes it).
        deleteBeforeReplace: true,
      },
    );
    pinned.unshift(k8sSecret);

    // Read back from the Secret's state: after the first up that is the restored version, whatever
    // this run's lookup answered.
    this.restoredVersionId = k8sSecret.metadata.apply((m) => m.annotations?.[RESTORED_VERSION_ANNOTATION] ?? "unknown");
    pulumi
      .all([this.restoredVersionId, version.versionId, pulumi.all(pinned.map((r) => r.urn))])
      .apply(([kept, now, urns]) => {
        if (kept === now) return;
        const replace = urns.map((urn) => `--replace '${urn}'`).join(" ");
        void pulumi.log.warn(
          `${args.secretId}: keeping version ${kept}, restored by the first pulumi up; ${selector} is now version ${now}. To restore that one on purpose: pulumi up ${replace}`,
          k8sSecret,
        );
      });

    this.kubernetesSecretName = k8sSecret.metadata.name;
    this.registerOutputs({
      kubernetesSecretName: this.kubernetesSecretName,
      restoredVersionId: this.restoredVersionId,
      value: this.value,
    });
  }
}
