/**
 * Connection URLs carry passwords; anything we print or record goes through here first
 * (design invariant 4: secrets never reach logs). The one masker of the project.
 */

/** Passwords seen in this process (from connection URLs), scrubbed from any text we print. */
const remembered = new Set<string>();

/**
 * Remembers a password so `maskText` scrubs it wherever it shows up: a driver or libpq may echo
 * parts of what it was given (a host name that was really the tail of the password).
 */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < 3) return;
  remembered.add(value);
  try {
    remembered.add(decodeURIComponent(value));
  } catch {
    // not percent-encoded text: the raw form is remembered
  }
  remembered.add(encodeURIComponent(value));
}

/**
 * `postgresql://user:pw@host/db` → `postgresql://user:****@host/db`. A string that is not a clean
 * URL (a raw `@ : / # ?` in the password makes the parser split it in the wrong place) keeps only
 * what follows its last `@`: whatever came before may be the password.
 */
export function maskUrl(raw: string): string {
  if (isAmbiguousUrl(raw)) return maskAmbiguous(raw);
  try {
    const url = new URL(raw);
    if (url.password) url.password = "****";
    for (const key of [...url.searchParams.keys()]) {
      if (/pass/i.test(key)) url.searchParams.set(key, "****");
    }
    return url.toString();
  } catch {
    // libpq's `key=value` form (or not a URL at all): mask by pattern rather than print it as given.
    return maskText(raw);
  }
}

/** `postgresql://user:pw@host/db` → `postgresql://user:***@host/db`, wherever it appears in text. */
export function maskUrls(text: string): string {
  // An already masked password (`****`) stays as it is, so masking twice changes nothing.
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@]*)@/gi, (whole, head: string, pw: string) => (/^\*+$/.test(pw) ? whole : `${head}:***@`));
}

/** Every URL's password, every `password=` value, and every remembered password, masked. */
export function maskText(text: string): string {
  let out = maskUrls(text).replace(/(password\s*=\s*)[^\s&]+/gi, "$1****");
  // Longest first, so a password that contains another one is scrubbed whole.
  for (const secret of [...remembered].sort((a, b) => b.length - a.length)) out = out.split(secret).join("****");
  return out;
}

/**
 * Whether a URL string cannot be read one way only: a raw `#` (a fragment means nothing in a
 * connection URL), an `@` after the host (in the path or query), or a `%` that is not an escape.
 * All three come from a password with unencoded special characters, and parsing such a string
 * "successfully" sends part of the password to DNS as a host name.
 */
export function isAmbiguousUrl(raw: string): boolean {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw);
  if (!scheme) return false;
  const rest = raw.slice(scheme[0].length);
  if (rest.includes("#")) return true;
  if (/%(?![0-9a-f]{2})/i.test(rest)) return true;
  const authorityEnd = rest.search(/[/?]/);
  return authorityEnd !== -1 && rest.slice(authorityEnd).includes("@");
}

function maskAmbiguous(raw: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)![0];
  const rest = raw.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  // Without an `@`, or with a `password=` before it, there is no telling which part is a
  // password: show only the scheme.
  if (at === -1 || /pass\w*=/i.test(rest.slice(0, at))) return `${scheme}****`;
  const tail = rest.slice(at + 1).replace(/[?#].*$/, "");
  return maskText(`${scheme}****@${tail}`);
}

/** The fix for the three cases above, in the words an operator needs. */
export const PERCENT_ENCODE_HINT =
  "percent-encode special characters in the user name and password (@ → %40, : → %3A, / → %2F, # → %23, ? → %3F, % → %25), " +
  "e.g. with encodeURIComponent";
