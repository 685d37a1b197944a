import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Client } from "pg";
import { CreateDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createDatabase, startPostgres, type LocalPostgres } from "../../support/postgres";
import { startMoto, type LocalAws } from "../../support/moto";
import type { SecretSource } from "../../../verification";

/**
 * A restored drill environment made of real parts: PostgreSQL (a source and a restored copy of
 * two databases), moto (S3, Secrets Manager, RDS) and one local HTTP server per service.
 * Tests break one thing, verify, and put it back.
 */

export const FIXTURE_ROOT = join(__dirname, "..", "..", "fixtures", "verify");
export const STACK = "drill";
export const DB_PASSWORD = "pw-verify-s3cret";
export const SECRET_VALUES = {
  jwtPrevious: "jwt-previous-value-7f3a9c",
  jwtCurrent: "jwt-current-value-b81d2e",
  sendgridPrevious: "SG.previous-key-41c0aa",
  sendgridCurrent: "SG.current-key-93ffe1",
};
export const ACCESS_TOKEN = "access-token-never-printed-5d1e";
export const DATABASES = ["orders", "identity"] as const;
export type DatabaseName = (typeof DATABASES)[number];

export type Behaviour = "ok" | "error" | "hang";

const T0 = new Date();
const minutesAgo = (m: number) => new Date(T0.getTime() - m * 60_000).toISOString();

const ORDERS_SQL = `
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id),
  total_cents int NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz, deliver_after timestamptz);
CREATE TABLE order_items (id serial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id), sku text NOT NULL,
  qty int NOT NULL, created_at timestamp NOT NULL);
CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, action text NOT NULL);
INSERT INTO customers (email, created_at)
  SELECT 'customer' || i || '@example.invalid', $1::timestamptz - make_interval(mins => i * 10) FROM generate_series(0, 49) i;
INSERT INTO orders (customer_id, total_cents, created_at, updated_at, deliver_after)
  SELECT 1 + i % 50, 100 * i, $1::timestamptz - make_interval(mins => i * 5), $1::timestamptz - make_interval(mins => i * 5),
    $1::timestamptz + interval '3 days' FROM generate_series(0, 199) i;
INSERT INTO order_items (order_id, sku, qty, created_at)
  SELECT 1 + i % 200, 'sku-' || i, 1 + i % 3, ($1::timestamptz - make_interval(mins => i * 3)) AT TIME ZONE 'UTC' FROM generate_series(0, 399) i;
INSERT INTO audit_log (action) SELECT 'action ' || i FROM generate_series(1, 30) i;
`;

const IDENTITY_SQL = `
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL);
CREATE TABLE roles (user_id int NOT NULL REFERENCES users(id), role text NOT NULL, PRIMARY KEY (user_id, role));
INSERT INTO users (email, created_at) SELECT 'user' || i || '@example.invalid', $1::timestamptz - make_interval(mins => i * 7) FROM generate_series(0, 79) i;
INSERT INTO roles (user_id, role) SELECT id, 'member' FROM users;
`;

const PRISMA_SQL = `
CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
  migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),
  applied_steps_count int NOT NULL DEFAULT 0);
INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES
  ('m1', 'c1', now(), '20260901120000_init', 1),
  ('m2', 'c2', now(), '20261015090000_add_indexes', 1),
  ('m3', 'c3', now(), '20261120170000_add_delivery_window', 1);
`;

export const LATEST_MIGRATION = "20261120170000_add_delivery_window";

export const OBJECTS: Record<string, string> = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`products/p${i}/hero.jpg`, `image-bytes-${i}-`.repeat(20 + i)]),
);

interface ServiceServer {
  readonly server: Server;
  readonly url: string;
  behaviour: Behaviour;
}

export interface Environment {
  readonly pg: LocalPostgres;
  readonly aws: LocalAws;
  readonly outputs: Record<string, unknown>;
  /** The Kubernetes Secret's data (base64), as kubectl would return it. */
  readonly kubeData: Record<string, string>;
  readonly secretSource: SecretSource;
  readonly services: Record<string, ServiceServer>;
  gateway: { productsBody: string };
  s3: S3Client;
  rds: RDSClient;
  sourceUrl(db: DatabaseName): string;
  restoredUrl(db: DatabaseName): string;
  /** SQL against the restored copy (as the superuser, read-write). */
  sqlRestored(db: DatabaseName, sql: string): Promise<void>;
  /** Puts the restored database back to the clean copy. */
  resetRestored(db: DatabaseName): Promise<void>;
  stop(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    if (params.length === 0) await c.query(text);
    else for (const stmt of text.split(";\n").map((s) => s.trim()).filter(Boolean)) await c.query(stmt, stmt.includes("$1") ? params : []);
  } finally {
    await c.end();
  }
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function serviceServer(healthPath: string, routes?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<ServiceServer> {
  const state: { behaviour: Behaviour } = { behaviour: "ok" };
  const { server, url } = await listen((req, res) => {
    req.resume();
    if (req.url === healthPath) {
      if (state.behaviour === "hang") return; // never answers: the check's timeout must end it
      res.statusCode = state.behaviour === "error" ? 500 : 200;
      res.end(state.behaviour === "error" ? "boom" : '{"ok":true}');
      return;
    }
    if (routes?.(req, res)) return;
    res.statusCode = 404;
    res.end();
  });
  return Object.assign(state, { server, url }) as ServiceServer;
}

export async function startEnvironment(): Promise<Environment> {
  const stops: (() => Promise<void> | void)[] = [];
  try {
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    const aws = await startMoto();
    stops.push(() => aws.stop());

    for (const db of DATABASES) {
      const url = createDatabase(pg, `source_${db}`);
      await sql(url, db === "orders" ? ORDERS_SQL + PRISMA_SQL : IDENTITY_SQL + PRISMA_SQL, [T0.toISOString()]);
      await sql(pg.url(), `CREATE DATABASE clean_${db} TEMPLATE source_${db}`);
      await sql(pg.url(), `CREATE DATABASE restored_${db} TEMPLATE clean_${db}`);
    }
    const withPassword = (db: string) => `postgresql://postgres:${DB_PASSWORD}@127.0.0.1:${pg.port}/${db}`;

    const s3 = new S3Client({});
    const where = { CreateBucketConfiguration: { LocationConstraint: "eu-west-2" as const } };
    for (const bucket of ["lomash-wood-media-prod", "lomash-wood-media-prod-replica", "lomash-wood-media-prod-drill"]) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket, ...where }));
      for (const [key, body] of Object.entries(OBJECTS)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    await s3.send(new PutBucketVersioningCommand({ Bucket: "lomash-wood-media-prod-drill", VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: "lomash-wood-media-prod-drill",
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );

    // Each secret was rotated badly: the restore rolls back to the previous version (seed 004, 4A).
    const sm = new SecretsManagerClient({});
    const previousVersion: Record<string, string> = {};
    for (const [name, id, prev, cur] of [
      ["jwt", "lomash-wood/production/jwt-secret", SECRET_VALUES.jwtPrevious, SECRET_VALUES.jwtCurrent],
      ["sendgrid", "lomash-wood/production/sendgrid-api-key", SECRET_VALUES.sendgridPrevious, SECRET_VALUES.sendgridCurrent],
    ]) {
      const created = await sm.send(new CreateSecretCommand({ Name: id, SecretString: prev }));
      previousVersion[name] = created.VersionId!;
      await sm.send(new PutSecretValueCommand({ SecretId: id, SecretString: cur }));
    }
    sm.destroy();

    const rds = new RDSClient({});
    for (const db of DATABASES) {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `lomash-${db}-prod-drill`,
          Engine: "postgres",
          DBInstanceClass: "db.t4g.medium",
          MasterUsername: "lomash_admin",
          MasterUserPassword: "moto-password-unused",
          AllocatedStorage: 20,
          PubliclyAccessible: false,
        }),
      );
    }

    const gateway = { productsBody: '{"items":[{"id":1}]}' };
    const services: Record<string, ServiceServer> = {
      auth: await serviceServer("/health"),
      product: await serviceServer("/healthz"),
      "api-gateway": await serviceServer("/health", (req, res) => {
        if (req.method === "POST" && req.url === "/v1/auth/login") {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ accessToken: ACCESS_TOKEN }));
          return true;
        }
        if (req.method === "GET" && req.url === "/v1/products") {
          res.end(gateway.productsBody);
          return true;
        }
        return false;
      }),
    };
    for (const s of Object.values(services))
      stops.push(() => new Promise<void>((r) => { s.server.closeAllConnections(); s.server.close(() => r()); }));

    const kubeData: Record<string, string> = {
      JWT_SECRET: b64(SECRET_VALUES.jwtPrevious),
      SENDGRID_API_KEY: b64(SECRET_VALUES.sendgridPrevious),
    };
    const outputs = {
      namespace: "lomash-wood-drill",
      gatewayUrl: services["api-gateway"].url,
      restorePoint: T0.toISOString(),
      databases: Object.fromEntries(
        DATABASES.map((db) => [
          db,
          {
            identifier: `lomash-${db}-prod-drill`,
            endpoint: "127.0.0.1",
            port: pg.port,
            database: `restored_${db}`,
            connectionString: withPassword(`restored_${db}`),
            restorePoint: T0.toISOString(),
          },
        ]),
      ),
      caches: {},
      buckets: { media: { bucket: "lomash-wood-media-prod-drill", mode: "rebuild", replica: "lomash-wood-media-prod-replica" } },
      secrets: {
        jwt: { secretId: "lomash-wood/production/jwt-secret", versionId: previousVersion.jwt, kubernetesSecret: "lomash-wood-secrets", key: "JWT_SECRET" },
        sendgrid: { secretId: "lomash-wood/production/sendgrid-api-key", versionId: previousVersion.sendgrid, kubernetesSecret: "lomash-wood-secrets", key: "SENDGRID_API_KEY" },
      },
      services: Object.fromEntries(Object.entries(services).map(([n, s]) => [n, { url: s.url }])),
      recoveryPlan: { note: "extra outputs are ignored" },
    };

    return {
      pg,
      aws,
      outputs,
      kubeData,
      secretSource: {
        read: async (namespace, name) => (namespace === "lomash-wood-drill" && name === "lomash-wood-secrets" ? { ...kubeData } : undefined),
      },
      services,
      gateway,
      s3,
      rds,
      sourceUrl: (db) => withPassword(`source_${db}`),
      restoredUrl: (db) => withPassword(`restored_${db}`),
      sqlRestored: (db, text) => sql(pg.url(`restored_${db}`), text),
      async resetRestored(db) {
        await sql(pg.url(), `DROP DATABASE IF EXISTS restored_${db} WITH (FORCE)`);
        await sql(pg.url(), `CREATE DATABASE restored_${db} TEMPLATE clean_${db}`);
      },
      async stop() {
        s3.destroy();
        rds.destroy();
        for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw error;
  }
}

/** A fingerprint of a whole database: tables, every row, sequence positions. */
export async function fingerprint(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: tables } = await c.query<{ t: string }>(
      "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    const parts: string[] = [];
    for (const { t } of tables) {
      const { rows } = await c.query<{ h: string | null }>(`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${t} x`);
      parts.push(`${t}=${rows[0].h}`);
    }
    const { rows: seqs } = await c.query<{ s: string }>("SELECT sequencename || ':' || coalesce(last_value::text, '-') AS s FROM pg_sequences ORDER BY 1");
    return [...parts, ...seqs.map((s) => s.s)].join("\n");
  } finally {
    await c.end();
  }
}

export { minutesAgo };
