import type { TocEntry } from "./archive-toc";
import type { DumpManifest } from "./dump-manifest";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { maskUrl } from "./mask-url";
import { connect } from "./postgres-connection";
import { planPrivileges, type PrivilegePlan } from "./privileges";
import type { RestoreOptions, RestoreRecord } from "./restore-record";
import { objectKey, readTargetFacts, refuseUnrestorable } from "./restore-preflight";
import { describeEntry, selectEntries, type Selection } from "./restore-selection";
import { formatTable, parseTableList, resolveTables, type TableName } from "./table-names";

/**
 * Everything decided before the first write: which archive entries pg_restore gets, what is
 * left out and why, and what is applied after it. Built from the archive and the target's facts,
 * so a restore refused here has changed nothing.
 */
export interface RestorePlan {
  /** Entries for `--use-list`; undefined: the whole archive, as it is. */
  readonly list: TocEntry[] | undefined;
  readonly total: number;
  readonly selection: Selection | undefined;
  /** Objects the tables needed that the target already had (kept, not recreated). */
  readonly alreadyInTarget: string[];
  /** Foreign keys to or from tables outside the selection that exist in the target: added after. */
  readonly foreignKeysToAdd: TocEntry[];
  readonly skippedForeignKeys: string[];
  readonly notRestored: { object: string; reason: string }[];
  readonly privileges: PrivilegePlan | undefined;
  readonly largeObjects: number;
}

export async function planRestore(
  entries: readonly TocEntry[],
  tables: readonly TableName[] | undefined,
  options: { target: URL; targetExists: boolean; force: boolean; noAcl: boolean; role?: string },
  manifest: DumpManifest,
  record: unknown,
): Promise<RestorePlan> {
  const selection = tables === undefined ? undefined : selectEntries(entries, tables);
  const restoring = selection?.entries ?? entries;
  const facts = await readTargetFacts(options.target, options.targetExists, {
    objects: selection?.dependencies ?? [],
    tables: [...new Set(selection?.crossForeignKeys.flatMap((f) => f.needs) ?? [])].map((q) => {
      const e = entries.find((x) => x.desc === "TABLE" && `${x.namespace}.${x.tag}` === q)!;
      return { schema: e.namespace, name: e.tag };
    }),
    selected: selection?.tables ?? [],
  });
  refuseUnrestorable(options.target, facts, manifest, restoring.filter((e) => e.desc === "EXTENSION"), options.role, record);
  if (selection && options.force && facts.referencingKeys.length > 0) {
    throw new RefusedError(
      `--tables: in ${maskUrl(options.target.toString())}, foreign keys of other tables point into the tables to replace ` +
        `(${facts.referencingKeys.join("; ")}), so --force cannot drop and recreate them; drop those constraints first, ` +
        "or add the referencing tables to --tables",
      record,
    );
  }

  if (selection && selection.notBrought.length > 0) {
    // Restoring without them would leave a table silently less protected (a policy) or behaving
    // differently (a rule); known now, so refused now.
    throw new RefusedError(
      `--tables: ${selection.notBrought.map((n) => `${n.object} ${n.reason}`).join("; ")}; add those tables to --tables, or restore the whole dump`,
      record,
    );
  }
  const has = (e: TocEntry): boolean => facts.existing.has(objectKey(e.desc, e.namespace, e.tag));
  const alreadyInTarget = (selection?.dependencies ?? []).filter(has);
  const foreignKeysToAdd: TocEntry[] = [];
  const skippedForeignKeys: string[] = [];
  const notRestored: { object: string; reason: string }[] = [];
  for (const fk of selection?.crossForeignKeys ?? []) {
    const absent = fk.needs.filter((q) => !facts.existing.has(`TABLE ${q}`));
    if (absent.length === 0) foreignKeysToAdd.push(fk.entry);
    else {
      skippedForeignKeys.push(fk.entry.tag);
      if (fk.ofRestoredTable)
        notRestored.push({ object: describeEntry(fk.entry), reason: `needs ${absent.join(", ")}, which is neither restored nor in the target` });
    }
  }
  const privileges = options.noAcl ? undefined : planPrivileges(restoring, facts.roles);
  const excluded = new Set<TocEntry>([...alreadyInTarget, ...(privileges?.excluded ?? [])]);
  // The ENCODING/STDSTRINGS/SEARCHPATH entries and comments of kept objects stay; a dependency the
  // target has is neither recreated nor (under --force) dropped.
  const list = selection !== undefined || excluded.size > 0 ? restoring.filter((e) => !excluded.has(e)) : undefined;
  return {
    list,
    total: (list ?? entries).length,
    selection,
    alreadyInTarget: alreadyInTarget.map(describeEntry),
    foreignKeysToAdd,
    skippedForeignKeys,
    notRestored,
    privileges,
    largeObjects: entries.filter((e) => e.desc === "BLOB").length,
  };
}

/** Grants to existing roles from entries that also named missing ones, and cross-table foreign keys. */
export async function applyAfterLoad(target: URL, plan: RestorePlan, record: RestoreRecord): Promise<void> {
  if (plan.foreignKeysToAdd.length === 0 && (plan.privileges?.applyAfter.length ?? 0) === 0) return;
  const client = await connect(target);
  try {
    for (const entry of plan.foreignKeysToAdd) {
      try {
        await client.query(entry.sql);
        record.addedForeignKeys.push(entry.tag);
      } catch (error) {
        // The target's rows may not satisfy the key: say so rather than leave it silently out.
        record.notRestored.push({ object: `FK CONSTRAINT ${entry.namespace} ${entry.tag}`, reason: `PostgreSQL refused it: ${errorMessage(error)}` });
      }
    }
    for (const statement of plan.privileges?.applyAfter ?? []) await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves `--tables` against the manifest before anything is downloaded. */
export function requestedTables(options: RestoreOptions, inDump: readonly TableName[], record: RestoreRecord): TableName[] | undefined {
  if (options.tables.length === 0) return undefined;
  const requested = options.tables.flatMap(parseTableList);
  const { tables, unknown, ambiguous } = resolveTables(requested, inDump);
  if (ambiguous.length > 0) {
    const [a] = ambiguous;
    throw new UsageError("--tables", `"${a.given}" is in several schemas (${a.candidates.join(", ")}); name the one you mean, e.g. --tables ${a.candidates[0]}`);
  }
  if (unknown.length > 0) {
    throw new RefusedError(`--tables: ${unknown.join(", ")} not in this dump (it has ${inDump.slice(0, 10).map(formatTable).join(", ")}); check the names`, record);
  }
  return tables;
}
