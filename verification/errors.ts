/**
 * Bad input to verify (a flag, a file, a key in the outputs or baseline): exit 2 with this
 * message alone, never a stack trace. The message names what is wrong and what to do.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
