import { query } from "./seed-database";

/**
 * The databases a restore into `target` works in: its staging database (`<target>__restore_<id>`)
 * and an old target renamed aside by the swap (`<target>__replaced_<id>`). Read from pg_database,
 * so a test sees what the server has, not what the tool says it did.
 */
export async function restoreWorkDatabases(adminUrl: string, target: string): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    adminUrl,
    `SELECT datname FROM pg_database WHERE datname LIKE '${target.replace(/_/g, "\\_")}\\_\\_re%' ORDER BY 1`,
  );
  return rows.map((r) => r.datname);
}

/** Every staging or renamed-aside database on the server, whatever its target. */
export async function allRestoreWorkDatabases(adminUrl: string): Promise<string[]> {
  const rows = await query<{ datname: string }>(adminUrl, "SELECT datname FROM pg_database WHERE datname ~ '__(restore|replaced)_[0-9a-f]{8}$' ORDER BY 1");
  return rows.map((r) => r.datname);
}
