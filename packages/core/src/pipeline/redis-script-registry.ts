import { TIMELINE_KEY_GROUPS } from "../history/alert-timeline.js";
import { HISTORY_KEY_GROUPS } from "../history/history-reader.js";
import { EXPORTER_LEASE_SCRIPTS } from "../metrics/exporter-lease.js";
import { ALERT_STORE_KEY_GROUPS, ALERT_STORE_SCRIPTS } from "./alert-store.js";
import { CLAIM_SLOT_SCRIPTS } from "./claim-slot.js";
import { LATEST_RESULT_SCRIPTS } from "./latest-result.js";
import { MEMBERSHIP_SCRIPTS } from "./membership.js";
import type { RedisKeyGroup, RedisScript } from "./redis-script.js";
import { ROBOT_LANE_SCRIPTS } from "./robot-lane.js";
import { LEASE_SCRIPTS } from "./scheduler-lease.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- a registry of scripts with different parameters */
type AnyScript = RedisScript<any>;
type AnyKeyGroup = RedisKeyGroup<any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Every Lua script fleetwatch runs. The hash-slot test checks that each one's keys share a
 * slot, and that every `defineScript` in the sources is listed here: a module with new
 * scripts exports them as `…_SCRIPTS` and adds one line.
 */
export const REDIS_SCRIPTS: readonly AnyScript[] = [
  ...CLAIM_SLOT_SCRIPTS,
  ...LEASE_SCRIPTS,
  ...MEMBERSHIP_SCRIPTS,
  ...LATEST_RESULT_SCRIPTS,
  ...ALERT_STORE_SCRIPTS,
  ...ROBOT_LANE_SCRIPTS,
  ...EXPORTER_LEASE_SCRIPTS,
];

/** Every MGET, MULTI and pipeline over several keys (`defineKeyGroup`), checked the same way. */
export const REDIS_KEY_GROUPS: readonly AnyKeyGroup[] = [...ALERT_STORE_KEY_GROUPS, ...TIMELINE_KEY_GROUPS, ...HISTORY_KEY_GROUPS];
