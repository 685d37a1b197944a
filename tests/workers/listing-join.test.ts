import { strict as assert } from "node:assert";
import type { ListedObject, ListingPage } from "../../workers/bucket-listing";
import { compareKeys } from "../../workers/bucket-listing";
import { mergeJoin, type JoinedPair } from "../../workers/listing-join";

const PAGE = 100;

function object(key: string, etag = '"e"'): ListedObject {
  return { key, size: 1, etag };
}

/** A paged listing that records, for each page, how many pairs the consumer had taken when it was asked for. */
function recordedListing(keys: readonly string[], consumed: () => number): { pages: AsyncIterable<ListingPage>; askedAt: number[] } {
  const askedAt: number[] = [];
  async function* pages(): AsyncGenerator<ListingPage> {
    for (let start = 0; start < keys.length; start += PAGE) {
      askedAt.push(consumed());
      await Promise.resolve();
      yield keys.slice(start, start + PAGE).map((k) => object(k));
    }
  }
  return { pages: pages(), askedAt };
}

const keysOf = (n: number, prefix = "k/"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, "0")}`);

async function collect(pairs: AsyncIterable<JoinedPair>): Promise<JoinedPair[]> {
  const out: JoinedPair[] = [];
  for await (const p of pairs) out.push(p);
  return out;
}

describe("merge-join of two paged listings", () => {
  it("never asks for a page more than two pages ahead of the pairs consumed", async () => {
    const total = 50 * PAGE;
    let consumed = 0;
    const source = recordedListing(keysOf(total), () => consumed);
    const target = recordedListing(keysOf(total).filter((_, i) => i % 3 === 0), () => consumed);
    for await (const pair of mergeJoin({ ...source, label: "s3://a" }, { ...target, label: "s3://b" }, (k) => k)) {
      assert.ok(pair.source);
      consumed += 1;
    }
    assert.equal(consumed, total);
    assert.equal(source.askedAt.length, 50);
    // Page i (0-based) holds pairs i*PAGE…; it may be fetched while page i-1 is consumed and page
    // i-2 is done, never earlier: at most the current page and one read ahead are held.
    source.askedAt.forEach((at, i) => assert.ok(at >= (i - 2) * PAGE, `source page ${i} was asked for after only ${at} pairs`));
  });

  it("yields every key of either side once, in order, paired where both have it", async () => {
    const listing = (keys: string[]) => ({ pages: recordedListing(keys, () => 0).pages });
    const pairs = await collect(
      mergeJoin(
        { ...listing(["from/a", "from/b", "from/d"]), label: "s3://a/from" },
        { ...listing(["to/b", "to/c", "to/d", "to/e"]), label: "s3://b/to" },
        (k) => `to/${k.slice("from/".length)}`,
      ),
    );
    assert.deepEqual(
      pairs.map((p) => `${p.key} ${p.source ? "s" : "-"}${p.target ? "t" : "-"}`),
      ["to/a s-", "to/b st", "to/c -t", "to/d st", "to/e -t"],
    );
  });

  it("stops with a message naming the listing when its keys are out of order", async () => {
    const pages = recordedListing(["b", "a"], () => 0).pages;
    await assert.rejects(
      collect(mergeJoin({ pages, label: "s3://replica/media" }, { pages: recordedListing([], () => 0).pages, label: "s3://t" }, (k) => k)),
      { message: 'the listing of s3://replica/media is not in ascending key order ("b" came before "a")' },
    );
  });

  it("orders keys by their UTF-8 bytes, as S3 lists them", () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (4 bytes, F0 9F 98 80), though its
    // UTF-16 code unit is larger than the surrogate's.
    const keys = ["\u{1F600}", "\uFF5E", "z"].sort(compareKeys);
    assert.deepEqual(keys, ["z", "\uFF5E", "\u{1F600}"]);
    assert.deepEqual(keys.map((k) => Buffer.from(k)), [...keys].map((k) => Buffer.from(k)).sort(Buffer.compare));
  });
});
