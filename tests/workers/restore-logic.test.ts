import { strict as assert } from "node:assert";
import { joinToc, qualifiedRefs } from "../../workers/archive-toc";
import { parsePgRestoreStderr } from "../../workers/pg-restore-failure";
import { planPrivileges, rolesIn } from "../../workers/privileges";
import { rerunCommand } from "../../workers/restore-leftovers";
import { refuseUnrestorable, type TargetFacts } from "../../workers/restore-preflight";
import { parseManifest } from "../../workers/dump-manifest";
import { describeEntry, selectEntries } from "../../workers/restore-selection";
import { parseTableList, resolveTables } from "../../workers/table-names";

describe("restore logic without a server", () => {
  describe("--tables names", () => {
    it("reads plain, schema-qualified and quoted names, folding unquoted ones to lower case as SQL does", () => {
      assert.deepEqual(parseTableList('Orders, sales.items,"Order Items",public."Order Items","a,""b"""'), [
        { given: "Orders", name: "orders" },
        { given: "sales.items", schema: "sales", name: "items" },
        { given: '"Order Items"', name: "Order Items" },
        { given: 'public."Order Items"', schema: "public", name: "Order Items" },
        { given: '"a,""b"""', name: 'a,"b"' },
      ]);
    });

    it("refuses what is not a name with exit 2 and an example", () => {
      assert.throws(() => parseTableList("users;drop"), {
        message: '--tables: "users;drop" is not a table name; give names separated by commas, schema-qualified where needed, double-quoted when they hold capitals or spaces, e.g. --tables \'orders,sales.items,"Order Items"\'',
      });
    });

    it("finds an unqualified name in two schemas ambiguous, with both candidates", () => {
      const inDump = [{ schema: "public", name: "items" }, { schema: "sales", name: "items" }, { schema: "public", name: "orders" }];
      assert.deepEqual(resolveTables(parseTableList("items,orders,nope"), inDump), {
        tables: [{ schema: "public", name: "orders" }],
        unknown: ["nope"],
        ambiguous: [{ given: "items", candidates: ["public.items", "sales.items"] }],
      });
    });
  });

  describe("what an entry's SQL refers to", () => {
    it("finds schema-qualified names outside literals and function bodies, and sequences named in regclass literals", () => {
      const sql = `CREATE TABLE public."Order Items" (a public.order_status DEFAULT 'x.y'::public.order_status, b bigint DEFAULT nextval('public.seq'::regclass), c text DEFAULT $$ other.thing $$);`;
      assert.deepEqual(qualifiedRefs(sql), ["public.Order Items", "public.order_status", "public.seq"]);
    });

    it("selects a table's definition, data, keys, indexes, sequences, types and functions, and parks foreign keys to other tables", () => {
      const list = [
        "1; 0 0 ENCODING - ENCODING ",
        "2; 2615 1 SCHEMA - sales app",
        "3; 1247 2 TYPE sales status app",
        "4; 1255 3 FUNCTION sales touch() app",
        "5; 1259 4 TABLE sales orders app",
        "6; 1259 5 SEQUENCE sales orders_id_seq app",
        "7; 0 0 SEQUENCE OWNED BY sales orders_id_seq app",
        "8; 1259 6 TABLE public users app",
        "9; 2604 7 DEFAULT sales orders id app",
        "10; 0 4 TABLE DATA sales orders app",
        "11; 0 6 TABLE DATA public users app",
        "12; 0 0 SEQUENCE SET sales orders_id_seq app",
        "13; 2606 8 CONSTRAINT sales orders orders_pkey app",
        "14; 2620 9 TRIGGER sales orders orders_touch app",
        "15; 2606 10 FK CONSTRAINT sales orders orders_user_fkey app",
        "16; 2613 11 BLOB - 11 app",
      ].join("\n");
      const header = (name: string, type: string, schema: string) => `--\n-- Name: ${name}; Type: ${type}; Schema: ${schema}; Owner: app\n--\n\n`;
      const script = [
        header("sales", "SCHEMA", "-") + "CREATE SCHEMA sales;",
        header("status", "TYPE", "sales") + "CREATE TYPE sales.status AS ENUM ('a');",
        header("touch()", "FUNCTION", "sales") + "CREATE FUNCTION sales.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
        header("orders", "TABLE", "sales") + "CREATE TABLE sales.orders (id bigint, status sales.status, user_id int);",
        header("orders_id_seq", "SEQUENCE", "sales") + "CREATE SEQUENCE sales.orders_id_seq;",
        header("orders_id_seq", "SEQUENCE OWNED BY", "sales") + "ALTER SEQUENCE sales.orders_id_seq OWNED BY sales.orders.id;",
        header("users", "TABLE", "public") + "CREATE TABLE public.users (id int);",
        header("orders id", "DEFAULT", "sales") + "ALTER TABLE ONLY sales.orders ALTER COLUMN id SET DEFAULT nextval('sales.orders_id_seq'::regclass);",
        header("orders orders_pkey", "CONSTRAINT", "sales") + "ALTER TABLE ONLY sales.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);",
        header("orders orders_touch", "TRIGGER", "sales") + "CREATE TRIGGER orders_touch BEFORE UPDATE ON sales.orders FOR EACH ROW EXECUTE FUNCTION sales.touch();",
        header("orders orders_user_fkey", "FK CONSTRAINT", "sales") + "ALTER TABLE ONLY sales.orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);",
      ].join("\n\n");
      const selection = selectEntries(joinToc(list, script), [{ schema: "sales", name: "orders" }]);
      assert.deepEqual(selection.entries.map((e) => e.id), [1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 14]);
      assert.deepEqual(selection.crossForeignKeys.map((f) => [describeEntry(f.entry), f.needs]), [["FK CONSTRAINT sales orders orders_user_fkey", ["public.users"]]]);
      assert.equal(selection.largeObjects, 1);
    });
    it("reports a policy of a restored table that names a table outside the selection, rather than bringing it silently", () => {
      const entries = joinToc(
        ["5; 1259 4 TABLE public docs app", "6; 1259 5 TABLE public tenants app", "7; 3256 6 POLICY public docs docs_tenant app"].join("\n"),
        "--\n-- Name: docs; Type: TABLE; Schema: public; Owner: app\n--\n\nCREATE TABLE public.docs (tenant int);\n\n" +
          "--\n-- Name: docs docs_tenant; Type: POLICY; Schema: public; Owner: app\n--\n\n" +
          "CREATE POLICY docs_tenant ON public.docs USING ((tenant IN ( SELECT tenants.id FROM public.tenants)));\n",
      );
      const selection = selectEntries(entries, [{ schema: "public", name: "docs" }]);
      assert.deepEqual(selection.notBrought, [{ object: "POLICY public docs docs_tenant", reason: "refers to public.tenants, which is not restored" }]);
      assert.deepEqual(selection.entries.map((e) => e.id), [5]);
    });
  });

  describe("roles in privileges", () => {
    it("reads the roles of GRANT, REVOKE, default privileges and a policy's TO, not PUBLIC or a policy's expression", () => {
      assert.deepEqual(rolesIn('GRANT SELECT ON TABLE public.t TO app_reader, "Report Team" WITH GRANT OPTION'), ["app_reader", "Report Team"]);
      assert.deepEqual(rolesIn("REVOKE ALL ON SCHEMA public FROM PUBLIC"), []);
      assert.deepEqual(rolesIn("ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA s GRANT SELECT ON TABLES  TO reporting"), ["reporting", "app_owner"]);
      assert.deepEqual(rolesIn("CREATE POLICY p ON public.t FOR SELECT TO tenant USING ((owner = (SELECT x FROM public.accounts)))"), ["tenant"]);
    });

    it("keeps an entry whose roles all exist, and splits one that names a missing role into applied and skipped statements", () => {
      const entries = joinToc(
        ["1; 0 0 ACL - SCHEMA sales app", "2; 0 0 ACL public TABLE t app"].join("\n"),
        "--\n-- Name: SCHEMA sales; Type: ACL; Schema: -; Owner: app\n--\n\nGRANT USAGE ON SCHEMA sales TO app_reader;\nGRANT USAGE ON SCHEMA sales TO reporting;\n\n" +
          "--\n-- Name: TABLE t; Type: ACL; Schema: public; Owner: app\n--\n\nGRANT SELECT ON TABLE public.t TO app_reader;\n",
      );
      const plan = planPrivileges(entries, new Set(["app", "app_reader"]));
      assert.deepEqual([...plan.excluded].map((e) => e.id), [1]);
      assert.deepEqual(plan.applyAfter, ["GRANT USAGE ON SCHEMA sales TO app_reader"]);
      assert.deepEqual(plan.skipped, ["GRANT USAGE ON SCHEMA sales TO reporting"]);
      assert.deepEqual(plan.missingRoles, ["reporting"]);
    });
  });

  describe("a failed pg_restore in PostgreSQL's words", () => {
    const failure = (lines: string[]) => parsePgRestoreStderr(["pg_restore: creating TABLE \"public.orders\"", ...lines]);

    it("names a missing role and the fix", () => {
      assert.deepEqual(
        failure([
          "pg_restore: from TOC entry 4051; 0 0 ACL TABLE orders app",
          'pg_restore: error: could not execute query: ERROR:  role "reporting" does not exist',
          'Command was: GRANT SELECT ON TABLE public.orders TO reporting;',
        ]),
        {
          error: 'ERROR: role "reporting" does not exist',
          detail: undefined,
          object: "ACL TABLE orders (TOC entry 4051)",
          fix: 'create the role on the target server (CREATE ROLE "reporting"), or rerun with --no-acl to restore no privileges',
        },
      );
    });

    it("names a missing extension and the fix", () => {
      const f = failure([
        "pg_restore: from TOC entry 2; 3079 16435 EXTENSION hstore ",
        'pg_restore: error: could not execute query: ERROR:  could not open extension control file "/usr/share/postgresql/13/extension/hstore.control": No such file or directory',
        "Command was: CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;",
      ]);
      assert.equal(f?.fix, "install the extension hstore on the target server (Debian: its package; RDS: an engine version that supports it), then rerun with --force");
    });

    it("names an archive too new for this pg_restore and the fix", () => {
      const f = failure(["pg_restore: error: unsupported version (1.16) in file header"]);
      assert.deepEqual(f, {
        error: "unsupported version (1.16) in file header",
        detail: undefined,
        object: undefined,
        fix: "use pg_restore from the PostgreSQL release that made the dump, or newer (the worker image carries it)",
      });
    });
  });

  describe("refusals known before the first write", () => {
    const manifest = parseManifest(
      JSON.stringify({
        kind: "recovery-stacks/pg-dump",
        formatVersion: 1,
        dump: { bucket: "b", key: "k.dump", sizeBytes: 1, sha256: "0".repeat(64), format: "custom", compression: "none" },
        createdAt: "2026-11-25T02:02:36.101Z",
        source: { database: "shop", host: "db", port: 5432, postgresVersion: "15.18", serverVersionNum: 150018, systemIdentifier: null, serverTime: "2026-11-25T02:02:35.854Z" },
        pgDumpVersion: "pg_dump (PostgreSQL) 15.18",
        tables: [],
      }),
      "test",
    );
    const facts = (over: Partial<TargetFacts>): TargetFacts => ({
      serverVersionNum: 150018,
      roles: new Set(["postgres"]),
      availableExtensions: new Set(["hstore"]),
      currentUser: "postgres",
      existing: new Set(),
      referencingKeys: [],
      ...over,
    });
    const extension = (tag: string) => joinToc(`7; 3079 1 EXTENSION - ${tag} `, "");
    const target = new URL("postgresql://admin:s3cret@new-db:5432/shop");

    it("refuses a target running an older major version than the dump's", () => {
      assert.throws(() => refuseUnrestorable(target, facts({ serverVersionNum: 140011 }), manifest, [], undefined, {}), {
        message: "--to: postgresql://admin:****@new-db:5432/shop runs PostgreSQL 14 but the dump is from PostgreSQL 15; a dump restores into the same or a newer major version; restore into PostgreSQL 15 or later",
      });
    });

    it("refuses a target that cannot create an extension the dump needs, naming it", () => {
      assert.throws(() => refuseUnrestorable(target, facts({}), manifest, [...extension("hstore"), ...extension("postgis")], undefined, {}), /--to: postgresql:\/\/admin:\*\*\*\*@new-db:5432\/shop cannot create the extension postgis the dump needs/);
    });

    it("accepts a newer server with every extension", () => {
      assert.doesNotThrow(() => refuseUnrestorable(target, facts({ serverVersionNum: 160004 }), manifest, extension("hstore"), undefined, {}));
    });
  });

  it("writes the command that continues a restore, with --force and this run's options, the password masked", () => {
    assert.equal(
      rerunCommand({ dump: "s3://b/k.dump", target: new URL("postgresql://admin:s3cret@db:5432/shop"), jobs: 4, tables: ['"Order Items"'], noAcl: true }),
      "npm run restore -- --from s3://b/k.dump --to 'postgresql://admin:****@db:5432/shop' --force --jobs 4 --tables '\"Order Items\"' --no-acl",
    );
  });
});
