import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gzipSync } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import type { Client } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TocEntry } from "./archive-toc";
import { runForOutput } from "./child-process";
import type { DumpFile, DumpManifest } from "./dump-manifest";
import { fetchVerified, PipeClosedError } from "./dump-objects";
import { errorMessage, RefusedError } from "./errors";
import { holdSignals } from "./interrupt";
import { runPgRestore } from "./pg-restore";
import { connect } from "./postgres-connection";
import type { Progress } from "./progress";

/**
 * The `objects` layout (a `pg_dump -Fd` directory stored one object per file) restored while it
 * downloads, with any pg_restore. pg_restore reads a directory archive's data files only as
 * regular files (15.20 refuses a named pipe), so it is given everything but the table data:
 *
 * 1. the pre-data section (tables, types, functions) by pg_restore, from `toc.dat` alone;
 * 2. each table's data streamed from S3 into `COPY … FROM STDIN` on one of N connections, the
 *    sha256 and size taken in flight, in a transaction that commits only when they match the
 *    manifest; then, in the same slot, the indexes and constraints that need only that table
 *    (pg_restore with a one-table list), while the other slots are still loading;
 * 3. the rest of the post-data section (foreign keys, triggers, attachments, privileges) and the
 *    data that is not a table's (sequence values, large objects) by `pg_restore -j N`.
 *
 * The COPY statements and session settings are pg_restore's own, printed from the archive.
 * Everything goes into the staging database; staging-database.ts makes it the target.
 */

/** Post-data kinds that can be built as soon as their one table is loaded. */
const PER_TABLE = new Set(["INDEX", "CONSTRAINT"]);

export interface StreamedRestore {
  readonly s3: S3Client;
  readonly manifest: DumpManifest;
  /** The archive directory: `toc.dat` and the files that are not table data, already fetched. */
  readonly archive: string;
  /** A scratch directory of this restore's own. */
  readonly scratch: string;
  /** The entries to restore (the whole table of contents, or a selection's). */
  readonly entries: readonly TocEntry[];
  /** The data file of each TABLE DATA entry. */
  readonly files: ReadonlyMap<number, DumpFile>;
  /** The staging database. */
  readonly target: URL;
  readonly jobs: number;
  readonly role?: string;
  readonly noAcl?: boolean;
  /** Items done of `total`, as pg_restore counts them. */
  readonly progress: Progress;
  readonly total: number;
  /** Bytes of table data read from S3 so far (a running total). */
  readonly onBytes: (total: number) => void;
  /** The schema is in place and the first COPY starts. */
  readonly loading: () => void;
  /** A table's data is committed. */
  readonly loaded: (dumpId: number) => void;
  readonly describeEntry: (dumpId: number) => string | undefined;
  /** How long each of the three steps took (the record's `durationsMs.restore<Step>`). */
  readonly timed: (step: "Schema" | "Data" | "PostData", ms: number) => void;
}

/** The COPY statement pg_restore sends for each TABLE DATA entry, and the settings it sends first. */
export interface CopyStatements {
  readonly session: readonly string[];
  readonly copies: ReadonlyMap<number, string>;
}

/**
 * Asks pg_restore for its data section as a script over empty stand-ins for the data files (so
 * nothing is downloaded for it): `--verbose` heads each entry with `-- TOC entry <id>`, then its
 * `COPY … FROM stdin;`. The settings before the first entry (encoding, standard strings, an empty
 * search_path) are what the data was dumped under.
 */
export async function copyStatements(archive: string, data: readonly TocEntry[], files: ReadonlyMap<number, DumpFile>, scratch: string): Promise<CopyStatements> {
  const dir = join(scratch, "copy-statements");
  mkdirSync(dir);
  copyFileSync(join(archive, "toc.dat"), join(dir, "toc.dat"));
  const emptyGzip = gzipSync(Buffer.alloc(0));
  for (const file of files.values()) writeFileSync(join(dir, file.name), file.name.endsWith(".gz") ? emptyGzip : "");
  const list = join(scratch, "copy-statements.list");
  writeFileSync(list, `${data.map((e) => e.line).join("\n")}\n`);
  const script = await runForOutput("pg_restore", ["--verbose", "--file=-", `--use-list=${list}`, dir]);
  const [head, ...entries] = script.split(/^-- TOC entry /m);
  const session = head.split("\n").filter((line) => /^(SET |SELECT pg_catalog\.set_config\()/.test(line));
  const copies = new Map<number, string>();
  for (const entry of entries) {
    const copy = /^COPY .* FROM stdin;$/m.exec(entry);
    if (copy) copies.set(Number(/^\d+/.exec(entry)?.[0]), copy[0].slice(0, -1));
  }
  return { session, copies };
}

async function sectionIds(archive: string, section: "pre-data" | "post-data"): Promise<Set<number>> {
  const list = await runForOutput("pg_restore", ["--list", `--section=${section}`, archive]);
  return new Set([...list.matchAll(/^(\d+);/gm)].map((m) => Number(m[1])));
}

/** Items done across several pg_restore runs and the COPYs, as one count. */
function itemCounter(progress: Progress, total: number): { step(): void; pass(): Progress } {
  let done = 0;
  const show = (): void => progress.update(Math.min(done, total), total);
  return {
    step: () => {
      done++;
      show();
    },
    pass: () => {
      let last = 0;
      return {
        update: (n) => {
          done += n - last;
          last = n;
          show();
        },
        stop: () => undefined,
      };
    },
  };
}

/** The restore of `entries` as the three steps above. */
export async function restoreStreamed(r: StreamedRestore): Promise<void> {
  const tableName = (e: TocEntry): string => `${e.namespace}.${e.tag}`;
  // Largest first, as pg_restore -j orders them: the longest load starts at once.
  const data = r.entries.filter((e) => e.desc === "TABLE DATA" && r.files.has(e.id)).sort((a, b) => r.files.get(b.id)!.sizeBytes - r.files.get(a.id)!.sizeBytes);
  const [pre, post, statements] = await Promise.all([sectionIds(r.archive, "pre-data"), sectionIds(r.archive, "post-data"), copyStatements(r.archive, data, r.files, r.scratch)]);
  const missing = data.filter((e) => !statements.copies.has(e.id));
  if (missing.length > 0) throw new Error(`pg_restore printed no COPY statement for ${missing.map((e) => r.describeEntry(e.id)).join(", ")}`);
  const byTable = new Map(data.map((e) => [tableName(e), e.id]));
  const perTable = new Map<number, TocEntry[]>();
  for (const e of r.entries) {
    if (!post.has(e.id) || !PER_TABLE.has(e.desc)) continue;
    const tables = new Set(e.refs.filter((ref) => byTable.has(ref)));
    if (tables.size !== 1) continue;
    const id = byTable.get([...tables][0])!;
    perTable.set(id, [...(perTable.get(id) ?? []), e]);
  }
  const early = new Set([...perTable.values()].flat());
  const loadedIds = new Set(data.map((e) => e.id));
  const rest = r.entries.filter((e) => !pre.has(e.id) && !loadedIds.has(e.id) && !early.has(e));

  const items = itemCounter(r.progress, r.total);
  const abort = new AbortController();
  // A signal stops the COPYs and the pg_restores at once; restore.ts then drops the staging database.
  const release = holdSignals(() => abort.abort());
  const pass = (label: string, entries: readonly TocEntry[], jobs: number): Promise<void> =>
    entries.length === 0 ? Promise.resolve() : pgRestorePass(r, label, entries, jobs, items.pass(), abort.signal);
  const clients: Client[] = [];
  try {
    let since = Date.now();
    const lap = (step: "Schema" | "Data" | "PostData"): void => {
      r.timed(step, Date.now() - since);
      since = Date.now();
    };
    await pass("pre-data", r.entries.filter((e) => pre.has(e.id)), 1);
    lap("Schema");
    r.loading();
    for (let i = 0; i < Math.min(r.jobs, data.length); i++) clients.push(await sessionFor(r.target, statements.session, r.role));
    const free = [...clients];
    const failures: unknown[] = [];
    let bytes = 0;
    const limit = pLimit(Math.max(1, clients.length));
    await Promise.all(
      data.map((entry) =>
        limit(async () => {
          if (abort.signal.aborted) return;
          const client = free.pop()!;
          try {
            const copy = statements.copies.get(entry.id)!;
            await loadTable(r, client, entry, copy, (n) => r.onBytes((bytes += n)), abort.signal);
            items.step();
            r.loaded(entry.id);
            await pass(`indexes of ${tableName(entry)}`, perTable.get(entry.id) ?? [], 1);
          } catch (error) {
            failures.push(error);
            abort.abort();
          } finally {
            free.push(client);
          }
        }),
      ),
    );
    // A damaged file can make its COPY (or another's) fail first; the checksum says why.
    if (failures.length > 0) throw failures.find((f) => f instanceof RefusedError) ?? failures[0];
    lap("Data");
    await pass("post-data", rest, r.jobs);
    lap("PostData");
  } finally {
    release();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * A connection set as pg_restore sets its own before COPY (with `--role`, acting as that role);
 * commits need not wait for the disk.
 */
async function sessionFor(target: URL, session: readonly string[], role: string | undefined): Promise<Client> {
  // No query timeout: one table's COPY may take hours.
  const client = await connect(target, 0);
  const asRole = role === undefined ? [] : [`SET ROLE ${client.escapeIdentifier(role)}`];
  for (const statement of [...session, ...asRole, "SET synchronous_commit = off"]) await client.query(statement);
  return client;
}

/** One table: its data file from S3, hashed, through gunzip into COPY; committed only when it matches. */
async function loadTable(r: StreamedRestore, client: Client, entry: TocEntry, copy: string, onBytes: (n: number) => void, signal: AbortSignal): Promise<void> {
  const file = r.files.get(entry.id)!;
  await client.query("BEGIN");
  const into = client.query(copyFrom(copy));
  // 1 MiB output chunks: zlib's default 16 KiB makes each COPY message small, and cost this
  // process 1.85 s of CPU for the bench's 357 MB instead of 0.71 s (measured on a local dump).
  const unpack = file.name.endsWith(".gz") ? createGunzip({ chunkSize: 1024 * 1024 }) : new PassThrough();
  const copying = pipeline(unpack, into);
  copying.catch(() => undefined);
  // One listener per table while it loads, removed after: a signal holds at most `--jobs` of them.
  let download: { destroy(): void } | undefined;
  const stop = (): void => download?.destroy();
  signal.addEventListener("abort", stop, { once: true });
  const opened = (stream: { destroy(): void }): void => {
    download = stream;
    if (signal.aborted) stream.destroy();
  };
  try {
    await fetchVerified(r.s3, r.manifest, file, async () => unpack, onBytes, opened);
    await copying;
  } catch (error) {
    // The file matched its manifest but its COPY failed: PostgreSQL's words are the reason.
    if (error instanceof PipeClosedError) {
      const why = await copying.then(() => error.message, errorMessage);
      throw new Error(`COPY into ${r.describeEntry(entry.id) ?? entry.tag} failed: ${why}`);
    }
    throw error;
  } finally {
    signal.removeEventListener("abort", stop);
  }
  await client.query("COMMIT");
}

function pgRestorePass(r: StreamedRestore, label: string, entries: readonly TocEntry[], jobs: number, progress: Progress, signal: AbortSignal): Promise<void> {
  const listFile = join(r.scratch, `${label.replace(/[^A-Za-z0-9_.-]+/g, "_")}-${entries[0].id}.list`);
  writeFileSync(listFile, `${entries.map((e) => e.line).join("\n")}\n`);
  return runPgRestore(
    { archive: r.archive, target: r.target, jobs, listFile, clean: false, role: r.role, noAcl: r.noAcl },
    entries.length,
    progress,
    { describeEntry: r.describeEntry, signal },
  );
}
