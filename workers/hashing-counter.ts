import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** Passes bytes through while computing their sha256 and count: the checksum costs no extra pass. */
export class HashingCounter extends Transform {
  private readonly hash = createHash("sha256");
  bytes = 0;
  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}
