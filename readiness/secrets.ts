import { DescribeSecretCommand, type DescribeSecretCommandOutput } from "@aws-sdk/client-secrets-manager";
import type { SecretRestore } from "../stacks";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import { failed, unknown } from "./results";
import type { Finding, ItemResult } from "./types";

async function describe(secretId: string, ctx: CheckContext): Promise<DescribeSecretCommandOutput | undefined> {
  try {
    return await ctx.aws.secrets(ctx.config.region).send(new DescribeSecretCommand({ SecretId: secretId }), ctx.aws.call());
  } catch (error) {
    if (isNotFound(error, "ResourceNotFoundException")) return undefined;
    throw error;
  }
}

/**
 * The secret and the version the stack restores (a stage, AWSCURRENT by default, or a version
 * id) exist. Only its metadata is read: readiness never reads a secret's value.
 */
export async function checkSecret(s: SecretRestore, ctx: CheckContext): Promise<ItemResult> {
  const id = s.source.secretId;
  const wanted = s.versionId !== undefined ? `version ${s.versionId}` : `stage ${s.versionStage}`;
  const from = `${id} (${wanted})`;
  let secret: DescribeSecretCommandOutput | undefined;
  try {
    secret = await describe(id, ctx);
  } catch (error) {
    return unknown(from, couldNotCheck("DescribeSecret", error, ctx.aws.timeoutMs));
  }
  if (secret === undefined) return failed(from, `secret ${id} does not exist; recreate it from its owner's copy (the restore has no version to read)`);
  const findings: Finding[] = [];
  if (secret.DeletedDate !== undefined)
    findings.push({ level: "fail", message: `secret ${id} is scheduled for deletion (${secret.DeletedDate.toISOString()}) and cannot be read; aws secretsmanager restore-secret --secret-id ${id}` });
  const versions = secret.VersionIdsToStages ?? {};
  const key = `recovery:secrets.${s.name}`;
  if (s.versionId !== undefined && versions[s.versionId] === undefined)
    findings.push({ level: "fail", message: `secret ${id} has no version ${s.versionId}; set ${key}.versionId to one of ${Object.keys(versions).join(", ") || "(none)"}, or use versionStage` });
  if (s.versionStage !== undefined && !Object.values(versions).some((stages) => stages.includes(s.versionStage!))) {
    const stages = [...new Set(Object.values(versions).flat())];
    findings.push({
      level: "fail",
      message: `secret ${id} has no version in stage ${s.versionStage} (it has ${stages.join(", ") || "none"})${s.versionStage === "AWSPREVIOUS" ? ", it was never rotated" : ""}; set ${key}.versionStage to ${stages.includes("AWSCURRENT") ? "AWSCURRENT" : "a stage it has"}, or rotate it once`,
    });
  }
  const notes: string[] = [];
  if (s.recoverySecretId !== undefined) {
    try {
      const recovery = await describe(s.recoverySecretId, ctx);
      if (recovery?.DeletedDate !== undefined)
        findings.push({ level: "fail", message: `the recovery secret ${s.recoverySecretId} is scheduled for deletion, so creating it fails until ${recovery.DeletedDate.toISOString()}; aws secretsmanager restore-secret --secret-id ${s.recoverySecretId}, or delete it with --force-delete-without-recovery` });
      else if (recovery !== undefined) notes.push(`the recovery secret ${s.recoverySecretId} already exists (an earlier up of this stack)`);
    } catch (error) {
      findings.push({ level: "unknown", message: `could not check the recovery secret ${s.recoverySecretId} (${couldNotCheck("DescribeSecret", error, ctx.aws.timeoutMs)})` });
    }
  }
  return { restoredFrom: from, restorePoint: null, achievableRpoMinutes: null, findings, notes, rpoNotJudged: true };
}
