/** A few names, then a count: details stay one line. */
export const some = (items: readonly string[], n = 3): string =>
  items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`;
