import type { DumpManifest } from "./dump-manifest";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { maskUrl } from "./mask-url";
import { connect, identityOf, withDatabase } from "./postgres-connection";
import { userObjectCount } from "./postgres-inspect";
import { compareIdentity, probeIdentity, type ServerIdentity } from "./server-identity";

export interface TargetState {
  readonly exists: boolean;
  readonly userObjects: number;
  readonly systemIdentifier: string | null;
  /** Everything that tells this server from the source's (see server-identity.ts). */
  readonly identity: ServerIdentity;
}

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** Reads the target's state without changing it (the same checks serve `--dry-run`). */
export async function inspectTarget(target: URL): Promise<TargetState> {
  const { host, port } = identityOf(target);
  try {
    const client = await connect(target, 60_000);
    try {
      const identity = await probeIdentity(client, host, port, true);
      return { exists: true, userObjects: await userObjectCount(client), systemIdentifier: identity.systemIdentifier, identity };
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (pgCode(error) !== "3D000") {
      throw new RefusedError(`--to: cannot reach ${maskUrl(target.toString())}: ${errorMessage(error)}; check host, port and credentials`);
    }
  }
  // The database does not exist yet: reach the server through its maintenance database.
  const client = await connect(withDatabase(target, "postgres"), 60_000);
  try {
    const identity = await probeIdentity(client, host, port, false);
    return { exists: false, userObjects: 0, systemIdentifier: identity.systemIdentifier, identity };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Design invariant 1: a restore never writes into the database it restores from, with or
 * without --force, whatever name, address, proxy or pooler the target is reached through. A
 * database of the same name on the same server is the source; the server is compared by its
 * system identifier when both sides have one, otherwise by every fact both sides do have.
 */
export function refuseIfSource(target: URL, state: TargetState, manifest: DumpManifest): void {
  const to = identityOf(target);
  const source = manifest.source;
  if (to.database !== source.database) return;
  const verdict = compareIdentity(
    { ...source.identity, host: source.host, port: source.port, systemIdentifier: source.identity?.systemIdentifier ?? source.systemIdentifier },
    state.identity,
  );
  if (verdict.same) {
    throw new UsageError(
      "--to",
      `${maskUrl(target.toString())} is the database this dump was taken from (${source.host}:${source.port}/${source.database}): ` +
        `${verdict.matched.join("; ")} (compared: ${verdict.compared.join("; ")}). ` +
        "Restore into a new database or another server, never over the source",
    );
  }
}

export function refuseIfNotEmpty(target: URL, state: TargetState, force: boolean): void {
  if (state.userObjects > 0 && !force) {
    throw new RefusedError(
      `--to: ${maskUrl(target.toString())} is not empty (${state.userObjects} objects); restore into a new empty database, ` +
        "or add --force to drop and recreate the objects the dump contains",
    );
  }
}

export async function createTargetDatabase(target: URL): Promise<void> {
  const client = await connect(withDatabase(target, "postgres"), 60_000);
  try {
    const name = identityOf(target).database;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * An existing empty target is replaced by the swap: if something wrote into it while the restore
 * ran, replacing it would lose that, so without --force the swap is refused and the target kept.
 */
export async function refuseIfFilledMeanwhile(target: URL): Promise<void> {
  const client = await connect(target, 60_000);
  try {
    const objects = await userObjectCount(client);
    if (objects > 0) {
      throw new RefusedError(
        `--to: ${maskUrl(target.toString())} was empty when the restore started and now holds ${objects} objects; it was left as it is; ` +
          "restore into a new empty database, or add --force to replace it",
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
