/**
 * Connection URLs carry passwords; anything we print or record goes through here first
 * (design invariant 4: secrets never reach logs).
 */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "****";
    for (const key of [...url.searchParams.keys()]) {
      if (/pass/i.test(key)) url.searchParams.set(key, "****");
    }
    return url.toString();
  } catch {
    // Not a URL: it may still contain `password=...` (libpq keyword form).
    return raw.replace(/(password\s*=\s*)\S+/gi, "$1****");
  }
}
