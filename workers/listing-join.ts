import { compareKeys, type ListedObject, type ListingPage } from "./bucket-listing";

/** One key of the two listings side by side: in the source only, the target only, or both. */
export interface JoinedPair {
  /** The key in the target's key space (the source's key with --from's prefix replaced). */
  readonly key: string;
  readonly source?: ListedObject;
  readonly target?: ListedObject;
}

/**
 * Keeps one page requested ahead of the consumer, so the next page's round trip overlaps the work
 * on this one, and never more: memory stays at a couple of pages whatever the bucket's size.
 */
export async function* readAhead<T>(iterable: AsyncIterable<T>): AsyncGenerator<T> {
  const it = iterable[Symbol.asyncIterator]();
  let pending = it.next();
  // A failure is rethrown where the page is awaited; this only stops it counting as unhandled
  // while the consumer is busy with the previous page.
  pending.catch(() => undefined);
  try {
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = it.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    void it.return?.(undefined)?.catch(() => undefined);
  }
}

/** A position in a paged listing: the current object, and the page it is on. */
class Cursor {
  private page: ListingPage = [];
  private index = 0;
  private previous: string | undefined;
  current: ListedObject | undefined;

  constructor(
    private readonly pages: AsyncIterator<ListingPage>,
    private readonly label: string,
  ) {}

  async advance(): Promise<void> {
    this.index += 1;
    while (this.index >= this.page.length) {
      const next = await this.pages.next();
      if (next.done) {
        this.current = undefined;
        return;
      }
      this.page = next.value;
      this.index = 0;
    }
    this.current = this.page[this.index];
    const key = this.current.key;
    // The merge below is only right on sorted input; a listing out of order would make it copy
    // what is there, or miss what is not. S3 guarantees the order, so this is a loud stop.
    if (this.previous !== undefined && compareKeys(this.previous, key) >= 0) {
      throw new Error(`the listing of ${this.label} is not in ascending key order ("${this.previous}" came before "${key}")`);
    }
    this.previous = key;
  }

  async start(): Promise<void> {
    this.index = -1;
    await this.advance();
  }
}

/**
 * Merge-join of two listings sorted by key, page by page: yields every key of either side once, in
 * order, holding only the current page of each (plus the one read ahead). This is how a sync over a
 * bucket of millions of keys runs in a few megabytes.
 */
export async function* mergeJoin(
  source: { pages: AsyncIterable<ListingPage>; label: string },
  target: { pages: AsyncIterable<ListingPage>; label: string },
  mapKey: (sourceKey: string) => string,
): AsyncGenerator<JoinedPair> {
  const src = new Cursor(readAhead(source.pages), source.label);
  const tgt = new Cursor(readAhead(target.pages), target.label);
  await Promise.all([src.start(), tgt.start()]);
  while (src.current || tgt.current) {
    const sourceKey = src.current ? mapKey(src.current.key) : undefined;
    const targetKey = tgt.current?.key;
    const order = sourceKey === undefined ? 1 : targetKey === undefined ? -1 : compareKeys(sourceKey, targetKey);
    if (order < 0) {
      yield { key: sourceKey!, source: src.current };
      await src.advance();
    } else if (order > 0) {
      yield { key: targetKey!, target: tgt.current };
      await tgt.advance();
    } else {
      yield { key: targetKey!, source: src.current, target: tgt.current };
      await Promise.all([src.advance(), tgt.advance()]);
    }
  }
}
