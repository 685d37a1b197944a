import { z } from "zod";
import { serverIdentitySchema } from "./server-identity";

/**
 * The manifest stored beside every dump (`<dump key>.manifest.json`). It is written only after
 * the dump upload completed, so a manifest always describes a whole dump; restore refuses a dump
 * without one because it could not verify the checksum (seed 000, step 3.3).
 */
export const dumpManifestSchema = z.object({
  kind: z.literal("recovery-stacks/pg-dump"),
  formatVersion: z.literal(1),
  dump: z.object({
    bucket: z.string(),
    key: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** pg_dump's format: custom (`-Fc`, one file) or directory (`-Fd`, stored as a tar). */
    format: z.enum(["custom", "directory"]),
    /** gzip around the stored object (`.dump.gz`), as seed 000's backups are. */
    compression: z.enum(["none", "gzip"]),
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

export const MANIFEST_SUFFIX = ".manifest.json";

export function manifestKeyFor(dumpKey: string): string {
  return `${dumpKey}${MANIFEST_SUFFIX}`;
}

export function dumpFileName(database: string, at: Date, format: DumpManifest["dump"]["format"], gzip: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const safe = database.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (format === "directory") return `${safe}-${stamp}.dir.tar${gzip ? ".gz" : ""}`;
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
  return parsed.data;
}
