import { strict as assert } from "node:assert";
import { parseS3Location } from "../../workers/s3-location";
import { parseDatabaseUrl, libpqInvocation } from "../../workers/postgres-connection";
import { maskUrl } from "../../workers/mask-url";
import { positiveInt } from "../../workers/cli";
import { isTransient } from "../../workers/retry";
import { partRanges } from "../../workers/object-copy";
import { validateSyncLocations } from "../../workers/bucket-sync";
import { planUndelete } from "../../workers/undelete";

describe("data-plane argument checks and pure logic", () => {
  it("parses s3:// locations and names the argument when one is wrong", () => {
    assert.deepEqual(parseS3Location("--from", "s3://media-replica/a//b"), { bucket: "media-replica", key: "a/b" });
    assert.deepEqual(parseS3Location("--from", "s3://media-replica"), { bucket: "media-replica", key: "" });
    assert.throws(() => parseS3Location("--from", "media-replica"), {
      message: '--from: "media-replica" is not an S3 location; write it as s3://bucket/prefix',
    });
    assert.throws(() => parseS3Location("--to", "s3://Bad_Bucket/x"), /--to: "Bad_Bucket" is not a valid bucket name/);
    assert.throws(() => parseS3Location("--to", undefined), /--to: is required/);
  });

  it("refuses a sync whose target bucket is its source bucket", () => {
    assert.throws(
      () => validateSyncLocations(parseS3Location("--from", "s3://x-replica"), parseS3Location("--to", "s3://x-replica/other")),
      { message: '--to: "s3://x-replica/other" is the same bucket as --from; give a different target bucket (the replica is only ever read)' },
    );
  });

  it("never shows a password from a connection URL", () => {
    assert.equal(maskUrl("postgresql://admin:s3cret@db:5432/app"), "postgresql://admin:****@db:5432/app");
    assert.equal(maskUrl("postgresql://db/app?password=s3cret"), "postgresql://db/app?password=****");
    assert.equal(maskUrl("host=db password=s3cret"), "host=db password=****");
    // Not parsable as a URL (a raw `#` in the password): still never printed as given.
    assert.equal(maskUrl("postgresql://u:pa#ss@127.0.0.1:1/x"), "postgresql://****@127.0.0.1:1/x");
    assert.equal(maskUrl("postgresql://u:p@ss@db/x"), "postgresql://u:****@db/x");
    assert.throws(() => parseDatabaseUrl("--to", "postgresql://admin:s3cret@db:5432/"), (e: Error) => !e.message.includes("s3cret") && /--to: .* names no database/.test(e.message));
  });

  it("passes the password to pg_restore through the environment, not the command line", () => {
    const { dbnameArg, env } = libpqInvocation(new URL("postgresql://admin:s3cret@db:5432/app"));
    assert.equal(dbnameArg, "--dbname=postgresql://admin@db:5432/app?sslmode=disable");
    assert.equal(env.PGPASSWORD, "s3cret");
  });

  it("accepts whole numbers in range and refuses the rest", () => {
    assert.equal(positiveInt("--jobs", undefined, 3, 64), 3);
    assert.equal(positiveInt("--jobs", "8", 3, 64), 8);
    assert.throws(() => positiveInt("--concurrency", "0", 3, 64), { message: '--concurrency: "0" is not a whole number from 1 to 64' });
    assert.throws(() => positiveInt("--jobs", "2.5", 3, 64), /--jobs: "2.5"/);
  });

  it("retries throttling, 5xx and dropped connections but not permanent 4xx errors", () => {
    assert.equal(isTransient({ name: "SlowDown", $metadata: { httpStatusCode: 503 } }), true);
    assert.equal(isTransient({ name: "InternalError", $metadata: { httpStatusCode: 500 } }), true);
    assert.equal(isTransient({ code: "ECONNRESET" }), true);
    assert.equal(isTransient({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } }), false);
    assert.equal(isTransient({ name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }), false);
  });

  it("splits a multipart copy at the source's part size, last part short", () => {
    assert.deepEqual(partRanges(12, 5), [
      { start: 0, end: 4 },
      { start: 5, end: 9 },
      { start: 10, end: 11 },
    ]);
  });

  it("undeletes only objects whose current delete marker is after T, and only if a version comes back", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const v = (key: string, s: number, isLatest: boolean, deleteMarker: boolean, id = `${key}-${s}`) => ({
      key,
      versionId: id,
      lastModified: at(s),
      isLatest,
      deleteMarker,
    });
    const byKey = new Map([
      ["before", [v("before", 1, false, false), v("before", 5, true, true)]],
      ["after", [v("after", 1, false, false), v("after", 20, false, true), v("after", 21, true, true)]],
      ["live", [v("live", 1, false, false), v("live", 20, false, true), v("live", 22, true, false)]],
      ["born-and-gone", [v("born-and-gone", 15, false, false), v("born-and-gone", 16, true, true)]],
      ["twice", [v("twice", 1, false, false), v("twice", 5, false, true), v("twice", 20, true, true)]],
    ]);
    const plan = planUndelete(byKey, at(10));
    assert.deepEqual(plan.restored.map((r) => [r.key, r.versionId]), [
      ["after", "after-1"],
      ["born-and-gone", "born-and-gone-15"],
    ]);
    assert.deepEqual(plan.markers.map((m) => m.versionId).sort(), ["after-20", "after-21", "born-and-gone-16"]);
    assert.deepEqual(plan.noEarlierVersion, ["twice"]);
  });
});
