import { z } from "zod";
import { serverIdentitySchema } from "./server-identity";

/**
 * The manifest stored beside every dump (`<dump key>.manifest.json`). It is written only after
 * the dump upload completed, so a manifest always describes a whole dump; restore refuses a dump
 * without one because it could not verify the checksum (seed 000, step 3.3).
 */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** One file of a directory-format dump stored as its own object (`<dir>/<name>`). */
export const dumpFileSchema = z.object({
  /** The file's name in pg_dump's directory: `3343.dat.gz`, `blobs.toc`, `blob_16401.dat.gz`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  sizeBytes: z.number().int().nonnegative(),
  sha256,
});

export const dumpManifestSchema = z.object({
  kind: z.literal("recovery-stacks/pg-dump"),
  /**
   * 1: one object (custom format, or a directory dump as a tar). 2: a directory dump stored one
   * object per file (`layout: "objects"`), which a restore streams into `pg_restore -j N`.
   */
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  dump: z.object({
    bucket: z.string(),
    /** The dump's object; in the `objects` layout, its `toc.dat`. */
    key: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256,
    /** pg_dump's format: custom (`-Fc`, one file) or directory (`-Fd`, a tar or one object per file). */
    format: z.enum(["custom", "directory"]),
    /** gzip around the stored object (`.dump.gz`), as seed 000's backups are. */
    compression: z.enum(["none", "gzip"]),
    /** `objects`: every file of the directory beside `toc.dat` under the same prefix. Absent: one object. */
    layout: z.literal("objects").optional(),
    /** The other files of an `objects` dump (data, large objects); `toc.dat` is the dump itself. */
    files: z.array(dumpFileSchema).optional(),
  }),
  /** When the upload finished (ISO 8601). */
  createdAt: z.string(),
  source: z.object({
    database: z.string(),
    host: z.string(),
    port: z.number().int(),
    postgresVersion: z.string(),
    serverVersionNum: z.number().int(),
    /** pg_control_system().system_identifier, null when the role may not read it. */
    systemIdentifier: z.string().nullable(),
    /** The server's clock when the dump's snapshot was taken: the data is as of this time. */
    serverTime: z.string(),
    /**
     * What tells this server and database from another (addresses, start time, catalog
     * fingerprint), so a restore can refuse the source reached by another name. Optional:
     * manifests written before it existed still restore, compared on what they have.
     */
    identity: serverIdentitySchema.optional(),
  }),
  pgDumpVersion: z.string(),
  /** Exact row counts taken in the same snapshot pg_dump used, to verify the restore. */
  tables: z.array(z.object({ schema: z.string(), name: z.string(), rows: z.number().int().nonnegative() })),
});

export type DumpManifest = z.infer<typeof dumpManifestSchema>;
export type DumpFile = z.infer<typeof dumpFileSchema>;

/** Where a file of an `objects` dump is: beside its toc.dat. */
export function dumpFileKey(tocKey: string, name: string): string {
  return `${tocKey.slice(0, tocKey.lastIndexOf("/") + 1)}${name}`;
}

export const MANIFEST_SUFFIX = ".manifest.json";

export function manifestKeyFor(dumpKey: string): string {
  return `${dumpKey}${MANIFEST_SUFFIX}`;
}

/** The dump's key under the prefix; a directory dump is `<db>-<stamp>.dir/toc.dat` with its files beside it. */
export function dumpFileName(database: string, at: Date, format: DumpManifest["dump"]["format"], gzip: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const safe = database.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (format === "directory") return `${safe}-${stamp}.dir/toc.dat`;
  return `${safe}-${stamp}.dump${gzip ? ".gz" : ""}`;
}

/** Parses a manifest's JSON text; the error names the key so an operator can look at it. */
export function parseManifest(text: string, where: string): DumpManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`manifest ${where} is not JSON`);
  }
  const parsed = dumpManifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`manifest ${where} is not a recovery-stacks dump manifest (${first.path.join(".")}: ${first.message})`);
  }
  const manifest = parsed.data;
  const objects = manifest.dump.layout === "objects";
  if (objects !== (manifest.formatVersion === 2) || objects !== (manifest.dump.files !== undefined)) {
    throw new Error(`manifest ${where} is not a recovery-stacks dump manifest (dump.layout: formatVersion 2 and dump.files go with layout "objects")`);
  }
  return manifest;
}
