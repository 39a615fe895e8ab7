/**
 * Largest fleet file read: 32 MiB. A 100,000-host fleet written one host a line with a name,
 * an address and a group is about 7.5 MB, so this leaves room for per-host settings while
 * a runaway or hostile file is refused before it is read.
 */
export const FLEET_FILE_MAX_BYTES = 32 * 1024 * 1024;

/** Most YAML aliases a fleet file may use (anchors are fine; "billion laughs" files are not). */
export const FLEET_FILE_MAX_ALIASES = 100;

/** Said of a file over the cap; `bytes` when its size is known (a pipe or a device has none). */
export const tooLargeMessage = (bytes?: number): string => {
  const limit = `the ${FLEET_FILE_MAX_BYTES / 1024 / 1024} MiB limit for a fleet file; is it the right file?`;
  return bytes === undefined ? `the file goes on past ${limit}` : `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, above ${limit}`;
};
