/**
 * What a failed pg_restore said, in PostgreSQL's words: the `ERROR:` line and its DETAIL/HINT,
 * the object it was creating (pg_restore's "from TOC entry" line) and, where the cause is a
 * known one, the fix. The last lines of stderr are usually the tail of the failing statement,
 * which says neither (issue 15).
 */
export interface PgRestoreFailure {
  /** `ERROR:  type "public.order_status" does not exist`, or pg_restore's own error. */
  readonly error: string;
  readonly detail?: string;
  /** `TABLE public orders` (TOC entry 233), when pg_restore named one. */
  readonly object?: string;
  readonly fix?: string;
}

const FIXES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/role "([^"]+)" does not exist/, (m) => `create the role on the target server (CREATE ROLE "${m[1]}"), or rerun with --no-acl to restore no privileges`],
  [
    /extension "([^"]+)" is not available|could not open extension control file "[^"]*\/([^/"]+)\.control"/,
    (m) => `install the extension ${m[1] ?? m[2]} on the target server (Debian: its package; RDS: an engine version that supports it), then rerun with --force`,
  ],
  [/unsupported version \(([\d.]+)\) in file header/, () => "use pg_restore from the PostgreSQL release that made the dump, or newer (the worker image carries it)"],
  [/syntax error at or near/, () => "the target server is older than the one the dump came from; restore into the same major version or newer"],
  [/permission denied/, () => "connect as the database's owner or a role allowed to create in it (on RDS, the master user), or pass --role"],
  [/No space left on device|could not extend file/, () => "the target is out of disk space; add storage (RDS: raise the allocated storage), then rerun with --force"],
  [/already exists/, () => "the target already holds this object: restore into an empty database, or rerun with --force to replace what the dump contains"],
  [/(?:type|function) "?([^" ]+)"? does not exist/, () => "an object the dump needs is missing on the target; restore the whole dump, or the extension that provides it"],
];

/**
 * `describe` names a TOC entry by its id with its schema: pg_restore's "from TOC entry <id>; <oids>
 * <desc> <tag> <owner>" line leaves the schema out.
 */
export function parsePgRestoreStderr(lines: readonly string[], describe: (id: number) => string | undefined = () => undefined): PgRestoreFailure | undefined {
  const errorAt = lines.findIndex((l) => /^pg_restore: error: /.test(l));
  if (errorAt < 0) return undefined;
  let object: string | undefined;
  for (let i = errorAt - 1; i >= 0 && i >= errorAt - 2; i--) {
    const m = /^pg_restore: from TOC entry (\d+); \d+ \d+ (.*?) ?\S*$/.exec(lines[i]);
    if (m) object = `${describe(Number(m[1])) ?? m[2]} (TOC entry ${m[1]})`;
  }
  const first = lines[errorAt].replace(/^pg_restore: error: /, "");
  const sqlError = /(ERROR: .*)$/.exec(first);
  const error = (sqlError ? sqlError[1] : first).replace(/\s+/g, " ").trim();
  const detail: string[] = [];
  for (let i = errorAt + 1; i < lines.length && !/^(Command was:|pg_restore: )/.test(lines[i]); i++) {
    if (/^(DETAIL|HINT|CONTEXT): /.test(lines[i])) detail.push(lines[i].replace(/\s+/g, " ").trim());
  }
  const text = [error, ...detail].join(" ");
  let fix: string | undefined;
  for (const [pattern, make] of FIXES) {
    const m = pattern.exec(text);
    if (m) {
      fix = make(m);
      break;
    }
  }
  return { error, detail: detail.length > 0 ? detail.join(" ") : undefined, object, fix };
}

export function describeFailure(f: PgRestoreFailure): string {
  return [`pg_restore failed${f.object ? ` creating ${f.object}` : ""}: ${f.error}`, f.detail, f.fix ? `fix: ${f.fix}` : undefined].filter(Boolean).join("; ");
}
