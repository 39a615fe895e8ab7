/**
 * Names of different shapes the hash-slot test builds keys from: a key builder that puts
 * the name inside the hash tag (or forgets the tag) shows up as a second slot.
 */
export const HOST_EXAMPLES: readonly [string][] = [["web-1"], ["db-02.example.com"], ["2001:db8::7"], ["10.0.0.1:2222"], ["{sched}"], ["主机-1"]];
export const ROBOT_EXAMPLES: readonly [string][] = [["ops"], ["db-team"], ["{alerts}"], ["团队 robot:2"]];
