import { maskUrls } from "../workers/mask-url";
/**
 * Everything verify prints goes through here. Secret values are never held as strings we
 * print (they are hashed as soon as they are read), but connection strings carry passwords,
 * and a driver's error message may echo what it was given.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a value that must never be printed (a password, a whole connection string). */
  add(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  /** Remembers the password (and the whole URL) of a connection string. */
  addUrl(url: string | undefined): void {
    if (!url) return;
    this.add(url);
    try {
      const parsed = new URL(url);
      if (parsed.password) {
        this.add(parsed.password);
        this.add(decodeURIComponent(parsed.password));
      }
    } catch {
      // not a URL: the whole string is already remembered
    }
  }

  apply(text: string): string {
    let out = maskUrls(text);
    for (const s of this.secrets) out = out.split(s).join("***");
    return out;
  }
}


