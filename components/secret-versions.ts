import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8S_SECRET_OUTPUTS, isDnsName, secretStringData, throwIfProblems } from "./shared";

export interface SecretVersionsArgs {
  /** The production secret to read (never written): its name or ARN in Secrets Manager. */
  readonly secretId: string;
  /** A version stage to restore. Defaults to `AWSPREVIOUS` (runbook 4A) when `versionId` is not given. */
  readonly versionStage?: string;
  /** A version id to restore instead of a stage. */
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
   * REDIS_URL, bucket names). Each is stored as a secret. Defaults to none.
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Names of production resources, which a recovery secret must never take. Defaults to none. */
  readonly sourceNames?: readonly string[];
}

/** Pure checks of SecretVersionsArgs; an empty list means valid. */
export function validateSecretVersionsArgs(args: SecretVersionsArgs): string[] {
  const problems: string[] = [];
  if (args.secretId.trim() === "") problems.push("secretId must name the production secret to read");
  if (args.versionStage !== undefined && args.versionId !== undefined)
    problems.push("give either versionStage or versionId, not both");
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
 * into a Kubernetes Secret. Every value stays a Pulumi secret.
 */
export class SecretVersions extends pulumi.ComponentResource {
  /** The Kubernetes Secret services take their environment from. */
  public readonly kubernetesSecretName: pulumi.Output<string>;
  /** The Secrets Manager version that was restored. */
  public readonly restoredVersionId: pulumi.Output<string>;
  /** The restored value (a secret). */
  public readonly value: pulumi.Output<string>;
  /** The recovery secret's ARN, when one was written. */
  public readonly recoverySecretArn?: pulumi.Output<string>;

  constructor(name: string, args: SecretVersionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("recovery:secrets:SecretVersions", name, {}, opts);
    throwIfProblems("SecretVersions", validateSecretVersionsArgs(args), this);

    const version = aws.secretsmanager.getSecretVersionOutput(
      args.versionId !== undefined
        ? { secretId: args.secretId, versionId: args.versionId }
        : { secretId: args.secretId, versionStage: args.versionStage ?? "AWSPREVIOUS" },
      { parent: this },
    );
    this.value = pulumi.secret(version.secretString);
    this.restoredVersionId = version.versionId;

    if (args.recoverySecretId !== undefined) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-recovery-secret`,
        { name: args.recoverySecretId, description: pulumi.interpolate`Restored from ${args.secretId} version ${version.versionId}` },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-recovery-version`,
        { secretId: secret.id, secretString: this.value },
        { parent: this },
      );
      this.recoverySecretArn = secret.arn;
    }

    const k8sSecret = new k8s.core.v1.Secret(
      `${name}-k8s`,
      {
        metadata: { name: args.kubernetesSecretName, namespace: args.namespace },
        type: "Opaque",
        stringData: secretStringData({ ...(args.values ?? {}), [args.key]: this.value }),
      },
      { parent: this, additionalSecretOutputs: K8S_SECRET_OUTPUTS },
    );

    this.kubernetesSecretName = k8sSecret.metadata.name;
    this.registerOutputs({
      kubernetesSecretName: this.kubernetesSecretName,
      restoredVersionId: this.restoredVersionId,
      value: this.value,
    });
  }
}
