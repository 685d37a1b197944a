/**
 * Is a container image reference pinned? The restore and sync Jobs run this project's worker
 * image in a disaster; a moving reference (`:latest`, no tag at all, a branch name) would run
 * whatever was pushed last instead of the code that was reviewed (DESIGN invariant 7).
 *
 * The grammar is the one of distribution/reference (what Docker, containerd and podman parse):
 * `[domain[:port]/]path[:tag][@algorithm:hex]`.
 */

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REFERENCE = new RegExp(
  `^(?<name>(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*(?::\\d+)?/)?${COMPONENT}(?:/${COMPONENT})*)` +
    `(?::(?<tag>[\\w][\\w.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Za-z]+))?$`,
);
/** Release versions (`0.1.0`, `v1.2.3`, `2026.11.3`, `1.2.0-rc.1`) and git commit ids, which never move. */
const VERSION_TAG = /^(?:v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$/;
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ImageReference {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(ref: string): ImageReference | undefined {
  const groups = REFERENCE.exec(ref)?.groups;
  if (groups === undefined) return undefined;
  return { name: groups.name, tag: groups.tag, digest: groups.digest };
}

/**
 * Why `ref` is not a pinned image (the rest of a config problem's message after the value), or
 * undefined when it is pinned: a sha256 digest, or a version tag.
 */
export function unpinnedImageProblem(ref: string): string | undefined {
  const parsed = parseImageReference(ref);
  const fix = (name: string) =>
    `pin it with a version tag (${name}:<version>) or a digest (${name}@sha256:<64 hex digits>); a recovery must run the code that was reviewed`;
  if (parsed === undefined)
    return "is not an image reference; write it as <registry>/<repository>:<version> or <registry>/<repository>@sha256:<64 hex digits>";
  if (parsed.digest !== undefined)
    return SHA256_DIGEST.test(parsed.digest)
      ? undefined
      : `has the digest "${parsed.digest}", which is not sha256:<64 lowercase hex digits>; copy the digest the registry printed when the image was pushed`;
  if (parsed.tag === undefined) return `has no tag or digest, so the cluster would pull whatever was pushed last; ${fix(parsed.name)}`;
  if (parsed.tag === "latest") return `uses the moving tag "latest"; ${fix(parsed.name)}`;
  if (!VERSION_TAG.test(parsed.tag)) return `has the tag "${parsed.tag}", which is not a version and can move; ${fix(parsed.name)}`;
  return undefined;
}

/** The restored StatefulSet's Redis when the inventory names none: seed 004 runs Redis 7.0. */
export const DEFAULT_REDIS_IMAGE = "redis:7.0.15";

/** The `major.minor` a Redis image's tag names (`redis:7.0.15-bookworm` → `7.0`); undefined without one. */
export function redisVersionOfImage(image: string): string | undefined {
  return /^(\d+\.\d+)(?:[.-][\w.-]*)?$/.exec(parseImageReference(image)?.tag ?? "")?.[1];
}
