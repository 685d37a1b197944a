import { redisVersionOfImage } from "../image-reference";
import type { Problem } from "../problems";

/**
 * A cluster cache's Redis version decides which RDB it loads (the restore refuses a newer one), so
 * it must be known: given, or read from the image's tag. Path `redisVersion`.
 */
export function redisVersionProblems(image: string, version: string | undefined): Problem[] {
  if (version !== undefined || redisVersionOfImage(image) !== undefined) return [];
  return [
    {
      path: ["redisVersion"],
      message: `is required: the image "${image}" has no major.minor version in its tag; give the Redis version it runs, like "7.0"`,
    },
  ];
}
