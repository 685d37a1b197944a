import type { Client } from "pg";
import type { DumpManifest } from "./dump-manifest";
import { connect } from "./postgres-connection";
import { countRows } from "./postgres-inspect";

export interface RowCheck {
  readonly table: string;
  readonly expected: number;
  readonly actual: number | null;
  readonly ok: boolean;
}

type ManifestTable = DumpManifest["tables"][number];

/**
 * `pg_restore --list` lines for TABLE DATA entries, by dump id, matched against the manifest's
 * tables (a line's namespace and tag are separated by spaces, so names are matched, not split).
 */
export function tableDataIds(toc: string, tables: readonly ManifestTable[]): Map<number, ManifestTable> {
  const ids = new Map<number, ManifestTable>();
  // Longest first: "public orders x owner" is the table "orders x", not "orders".
  const candidates = [...tables].sort((a, b) => b.schema.length + b.name.length - (a.schema.length + a.name.length));
  for (const line of toc.split("\n")) {
    const m = /^(\d+); \d+ \d+ TABLE DATA (.*)$/.exec(line);
    if (!m) continue;
    const table = candidates.find((t) => m[2] === `${t.schema} ${t.name}` || m[2].startsWith(`${t.schema} ${t.name} `));
    if (table) ids.set(Number(m[1]), table);
  }
  return ids;
}

/**
 * Compares restored row counts with the manifest. A table is counted as soon as pg_restore reports
 * its data loaded, while the index builds still run, so on a big restore the check costs almost
 * nothing at the end. Tables with inheritance children or partitions wait for the end: their
 * count includes the children, which may still be loading.
 */
export class RowCountCheck {
  private readonly results = new Map<ManifestTable, number | null>();
  private early: Promise<unknown> = Promise.resolve();
  private earlyClient: Promise<Client> | undefined;

  constructor(
    private readonly target: URL,
    private readonly wanted: readonly ManifestTable[],
    private readonly jobs: number,
  ) {}

  /** pg_restore finished loading this table's data (its transaction is committed). */
  loaded(table: ManifestTable): Promise<unknown> {
    if (!this.wanted.includes(table) || this.results.has(table)) return this.early;
    this.earlyClient ??= connect(this.target);
    const client = this.earlyClient;
    // One connection, one table at a time: the restore's own jobs keep the CPUs.
    this.early = this.early.then(async () => {
      const c = await client;
      if (await hasChildren(c, table)) return;
      // A count that fails here is simply taken again at the end.
      this.results.set(table, await countRows(c, table.schema, table.name));
    });
    this.early = this.early.catch(() => undefined);
    return this.early;
  }

  /** The restore failed: no result will be read; close the connection counting early. */
  async abandon(): Promise<void> {
    await this.early;
    await this.closeEarlyClient();
  }

  private async closeEarlyClient(): Promise<void> {
    const client = await this.earlyClient?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  /** Counts what is left, `jobs` at a time, and returns one check per wanted table. */
  async finish(): Promise<RowCheck[]> {
    await this.early;
    const rest = this.wanted.filter((t) => !this.results.has(t));
    // The connection that counted early is idle now: it is one of the `jobs` that count the rest.
    const early = await this.earlyClient?.catch(() => undefined);
    const wantedClients = Math.min(this.jobs, rest.length);
    const clients = [
      ...(early && wantedClients > 0 ? [early] : []),
      ...(await Promise.all(Array.from({ length: Math.max(0, wantedClients - (early ? 1 : 0)) }, () => connect(this.target)))),
    ];
    try {
      let next = 0;
      await Promise.all(
        clients.map(async (client) => {
          for (let i = next++; i < rest.length; i = next++) {
            this.results.set(rest[i], await countRows(client, rest[i].schema, rest[i].name).catch(() => null));
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await this.closeEarlyClient();
    }
    return this.wanted.map((t) => {
      const actual = this.results.get(t) ?? null;
      return { table: `${t.schema}.${t.name}`, expected: t.rows, actual, ok: actual === t.rows };
    });
  }
}

async function hasChildren(client: Client, table: ManifestTable): Promise<boolean> {
  const { rows } = await client.query<{ children: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relname = $2) AS children`,
    [table.schema, table.name],
  );
  return rows[0].children;
}
