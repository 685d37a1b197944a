import type { DumpManifest } from "./dump-manifest";
import { RefusedError, UsageError } from "./errors";
import { maskUrl } from "./mask-url";
import { connect, identityOf, withDatabase } from "./postgres-connection";
import { serverFacts, userObjectCount } from "./postgres-inspect";

export interface TargetState {
  readonly exists: boolean;
  readonly userObjects: number;
  readonly systemIdentifier: string | null;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const sameHost = (a: string, b: string): boolean => a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** Reads the target's state without changing it (the same checks serve `--dry-run`). */
export async function inspectTarget(target: URL): Promise<TargetState> {
  try {
    const client = await connect(target, 60_000);
    try {
      const facts = await serverFacts(client);
      return { exists: true, userObjects: await userObjectCount(client), systemIdentifier: facts.systemIdentifier };
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (pgCode(error) !== "3D000") {
      throw new RefusedError(`--to: cannot reach ${maskUrl(target.toString())}: ${(error as Error).message}; check host, port and credentials`);
    }
  }
  // The database does not exist yet: reach the server through its maintenance database.
  const client = await connect(withDatabase(target, "postgres"), 60_000);
  try {
    const facts = await serverFacts(client);
    return { exists: false, userObjects: 0, systemIdentifier: facts.systemIdentifier };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Design invariant 1: a restore never writes into the database it restores from, with or
 * without --force. Same name on the same server (by system identifier, or by host and port).
 */
export function refuseIfSource(target: URL, state: TargetState, manifest: DumpManifest): void {
  const to = identityOf(target);
  const source = manifest.source;
  if (to.database !== source.database) return;
  const sameServer =
    (state.systemIdentifier !== null && state.systemIdentifier === source.systemIdentifier) ||
    (sameHost(to.host, source.host) && to.port === source.port);
  if (sameServer) {
    throw new UsageError(
      "--to",
      `${maskUrl(target.toString())} is the database this dump was taken from (${source.host}:${source.port}/${source.database}); ` +
        "restore into a new database, never over the source",
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
