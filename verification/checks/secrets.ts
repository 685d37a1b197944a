import { createHash } from "node:crypto";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretSource } from "../secret-source";
import type { Check } from "../types";

export interface SecretTarget {
  readonly name: string;
  readonly namespace: string;
  readonly kubernetesSecret: string;
  readonly key: string;
  readonly secretId: string;
  /** The restored version; a stage when the outputs do not name one. */
  readonly version: { readonly VersionId: string } | { readonly VersionStage: string };
  readonly kube: SecretSource;
  readonly secretsManager: SecretsManagerClient;
}

/** Several keys live in one Kubernetes Secret: read it once per run. */
export function memoizeSource(source: SecretSource): SecretSource {
  const cache = new Map<string, ReturnType<SecretSource["read"]>>();
  return {
    read(namespace, name, signal) {
      const id = `${namespace}/${name}`;
      if (!cache.has(id)) cache.set(id, source.read(namespace, name, signal));
      return cache.get(id)!;
    },
  };
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export function secretCheck(t: SecretTarget): Check {
  const where = `${t.key} in Secret ${t.namespace}/${t.kubernetesSecret}`;
  const version = "VersionId" in t.version ? `version ${t.version.VersionId}` : t.version.VersionStage;
  return {
    name: "secret.key",
    target: t.name,
    group: "secrets",
    async run(signal) {
      const data = await t.kube.read(t.namespace, t.kubernetesSecret, signal);
      if (data === undefined) return { ok: false, detail: `Secret ${t.namespace}/${t.kubernetesSecret} does not exist` };
      const encoded = data[t.key];
      if (encoded === undefined) return { ok: false, detail: `${where} is missing` };
      const out = await t.secretsManager.send(new GetSecretValueCommand({ SecretId: t.secretId, ...t.version }), { abortSignal: signal });
      const restored = out.SecretString !== undefined ? Buffer.from(out.SecretString, "utf8") : out.SecretBinary;
      if (restored === undefined) return { ok: false, detail: `${t.secretId} ${version} has no value` };
      // Compared as hashes, and neither the values nor the hashes are printed.
      const same = sha256(Buffer.from(encoded, "base64")) === sha256(restored);
      return same
        ? { ok: true, detail: `${where} matches ${t.secretId} ${version} (sha256)` }
        : { ok: false, detail: `${where} differs from ${t.secretId} ${version}; push the restored version again` };
    },
  };
}
