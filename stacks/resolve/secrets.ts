import { secretVersionProblems } from "../checks/secret";
import { under } from "../problems";
import type { Inventory } from "../schema";
import { DEFAULT_SECRET_STAGE } from "../secret-stages";
import type { SecretRestore } from "../types";
import type { ResolveContext, Resolved } from "./context";

/** One secret of the inventory: the version to restore, and the recovery secret's new name when asked for. */
export function resolveSecret(source: Inventory["secrets"][number], ctx: ResolveContext): Resolved<SecretRestore> {
  const o = ctx.stack.secrets[source.name] ?? {};
  return {
    value: {
      name: source.name,
      source,
      versionStage: o.versionId === undefined ? o.versionStage ?? DEFAULT_SECRET_STAGE : undefined,
      versionId: o.versionId,
      recoverySecretId: o.writeRecoverySecret ? `${source.secretId}-${ctx.suffix}` : undefined,
      estimateMinutes: source.estimateMinutes ?? ctx.estimates.secret,
    },
    problems: under(["secrets", source.name], secretVersionProblems(o)),
  };
}
