/** scripts/build-deb.mjs: build the Debian package into outDir; resolves with the .deb path. */
export function buildDeb(outDir: string): Promise<string>;
