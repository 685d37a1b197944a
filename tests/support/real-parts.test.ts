import { strict as assert } from "node:assert";
import { Client } from "pg";
import { S3Client, CreateBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { startPostgres, type LocalPostgres } from "./postgres";
import { startMoto, type LocalAws } from "./moto";

describe("the real parts the tests start", () => {
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;

  before(async function () {
    this.timeout(60_000);
    pg = await startPostgres();
    aws = await startMoto();
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
  });

  it("a throwaway PostgreSQL answers SQL on its own port", async () => {
    const client = new Client({ connectionString: pg!.url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("SELECT 41 + 1 AS n");
      assert.equal(rows[0].n, 42);
    } finally {
      await client.end();
    }
  });

  it("the AWS SDK reaches moto through AWS_ENDPOINT_URL alone", async () => {
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: "real-parts-check", CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(Buckets?.map((b) => b.Name), ["real-parts-check"]);
  });
});
