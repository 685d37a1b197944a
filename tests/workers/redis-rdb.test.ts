import { strict as assert } from "node:assert";
import { maxRdbVersionFor, oldestRedisFor, rdbVersionOfHeader } from "../../workers/redis-rdb";
import { keyspaceOf, parseInfo, parseRedisUrl, redisCliInvocation } from "../../workers/redis-connection";

describe("RDB versions and Redis releases", () => {
  it("gives the newest RDB version each Redis release loads, from redis/redis's rdb.h", () => {
    const table = ["2.8.24", "3.0", "3.2.1", "4.0", "5.0.7", "6.2.14", "7.0.15", "7.2", "7.4.1", "8.0.2"].map((v) => [v, maxRdbVersionFor(v)]);
    assert.deepEqual(table, [
      ["2.8.24", 6], ["3.0", 6], ["3.2.1", 7], ["4.0", 8], ["5.0.7", 9], ["6.2.14", 9], ["7.0.15", 10], ["7.2", 11], ["7.4.1", 12], ["8.0.2", 12],
    ]);
  });

  it("knows no RDB version for a release before 2.6 or a string that is not a version", () => {
    assert.equal(maxRdbVersionFor("2.4"), undefined);
    assert.equal(maxRdbVersionFor("latest"), undefined);
  });

  it("names the oldest release that loads an RDB version", () => {
    assert.deepEqual([9, 10, 11, 12, 13].map(oldestRedisFor), ["5.0", "7.0", "7.2", "7.4", undefined]);
  });

  it("reads the version from a REDIS00NN header and nothing else", () => {
    assert.equal(rdbVersionOfHeader(Buffer.from("REDIS0010\xfa\x09redis-ver", "latin1")), 10);
    assert.equal(rdbVersionOfHeader(Buffer.from("REDIS00")), undefined);
    assert.equal(rdbVersionOfHeader(Buffer.from("PGDMP\x01\x0e\x00\x04")), undefined);
  });
});

describe("Redis URLs for redis-cli", () => {
  it("passes the password in REDISCLI_AUTH, never on the command line", () => {
    const { args, env } = redisCliInvocation(parseRedisUrl("--redis", "rediss://app:p%40ss@cache.internal:6380/2"));
    assert.deepEqual(args, ["-h", "cache.internal", "-p", "6380", "--no-auth-warning", "--user", "app", "--tls"]);
    assert.equal(env.REDISCLI_AUTH, "p@ss");
  });

  it("reads INFO keyspace into counts per database", () => {
    const info = parseInfo("# Keyspace\r\ndb0:keys=31001,expires=5000,avg_ttl=3599000\r\ndb1:keys=500,expires=500,avg_ttl=0\r\n");
    assert.deepEqual(keyspaceOf(info), [
      { db: 0, keys: 31001, expires: 5000 },
      { db: 1, keys: 500, expires: 500 },
    ]);
  });
});
