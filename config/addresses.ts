const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

/** An address that means "every interface". */
export function isWildcardAddress(host: string): boolean {
  return WILDCARD.has(host.trim());
}
