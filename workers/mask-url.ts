/**
 * Connection URLs carry passwords; anything we print or record goes through here first
 * (design invariant 4: secrets never reach logs). The one masker of the project.
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
    // Not a parsable URL (a password with `#` in it, say), or libpq's `password=...` form:
    // mask by pattern rather than print it as given.
    return maskUrls(raw).replace(/(password\s*=\s*)\S+/gi, "$1****");
  }
}

/** `postgresql://user:pw@host/db` → `postgresql://user:***@host/db`, wherever it appears in text. */
export function maskUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@]*@/gi, "$1:***@");
}
