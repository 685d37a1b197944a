import { Client } from "pg";

/** A small shop schema with a foreign key, an index and a sequence, filled with `scale` users. */
export async function seedShop(url: string, scale: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), total numeric(10,2) NOT NULL, note text);
      CREATE INDEX orders_user_id_idx ON orders(user_id);
      CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text NOT NULL);
      INSERT INTO users (email) SELECT 'user' || g || '@example.test' FROM generate_series(1, ${scale}) g;
      INSERT INTO orders (user_id, total, note)
        SELECT 1 + (g % ${scale}), (g % 1000) / 10.0, md5(g::text) FROM generate_series(1, ${scale * 5}) g;
      INSERT INTO audit_log (message) SELECT 'event ' || g FROM generate_series(1, ${scale * 2}) g;
    `);
  } finally {
    await client.end();
  }
}

export async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function tableCount(url: string): Promise<number> {
  const rows = await query<{ n: string }>(
    url,
    "SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
  );
  return Number(rows[0].n);
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const rows = await query<{ n: string }>(adminUrl, `SELECT count(*) AS n FROM pg_database WHERE datname = '${name}'`);
  return rows[0].n === "1";
}
