// Which records count: every record, unless a later one `replaces` it (a correction). The
// same rule as the server's (docs/api.md); sitedata.js and speed/verdict.js both use it.

/** The records that no other record in `records` replaces. */
export function current(records) {
  const replaced = new Set(records.map((r) => r.replaces).filter(Boolean));
  return records.filter((r) => !replaced.has(r.id));
}
