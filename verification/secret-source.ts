import { readFileSync } from "node:fs";
import { $ } from "zx";
import { UsageError } from "../scripts/lib/errors";

/**
 * Where verify reads Kubernetes Secrets from. In a cluster: kubectl. In tests, or where the
 * operator has exported the Secrets: a file. Values stay base64 as the API returns them and
 * are only ever hashed.
 */
export interface SecretSource {
  /** The Secret's `data` (base64 values); undefined when the Secret does not exist. */
  read(namespace: string, name: string, signal: AbortSignal): Promise<Readonly<Record<string, string>> | undefined>;
}

export class KubectlSecretSource implements SecretSource {
  constructor(private readonly timeoutMs = 15_000) {}

  async read(namespace: string, name: string, signal: AbortSignal): Promise<Record<string, string> | undefined> {
    const seconds = `${Math.max(1, Math.ceil(this.timeoutMs / 1000))}s`;
    // quiet: the JSON holds the values; it must never reach the terminal.
    const out = await $({ signal })`kubectl get secret -n ${namespace} ${name} -o json --request-timeout=${seconds}`
      .quiet()
      .nothrow()
      .timeout(this.timeoutMs);
    if (out.exitCode !== 0) {
      if (/NotFound/.test(out.stderr)) return undefined;
      const first = out.stderr.split("\n").find((l) => l.trim()) ?? `exit ${out.exitCode}`;
      throw new Error(`kubectl get secret -n ${namespace} ${name}: ${first.trim()}`);
    }
    const secret = JSON.parse(out.stdout) as { data?: Record<string, string> };
    return secret.data ?? {};
  }
}

interface SecretObject {
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
}

/**
 * `--kube-secrets FILE`: what `kubectl get secrets -n NS -o json` prints (a List), one Secret,
 * or an array of Secrets. A Secret without a namespace matches any namespace.
 */
export class FileSecretSource implements SecretSource {
  private readonly secrets: SecretObject[];

  constructor(private readonly path: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      throw new UsageError(`--kube-secrets ${path}: cannot be read as JSON; write it with \`kubectl get secrets -n <namespace> -o json > ${path}\``);
    }
    const items = Array.isArray(raw) ? raw : (raw as { items?: unknown })?.items ?? [raw];
    if (!Array.isArray(items) || items.some((s) => typeof (s as SecretObject)?.metadata?.name !== "string")) {
      throw new UsageError(`--kube-secrets ${path}: every Secret needs metadata.name; write it with \`kubectl get secrets -n <namespace> -o json\``);
    }
    this.secrets = items as SecretObject[];
  }

  async read(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const found = this.secrets.find((s) => s.metadata?.name === name && (s.metadata.namespace ?? namespace) === namespace);
    return found ? found.data ?? {} : undefined;
  }
}
