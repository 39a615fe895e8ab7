/** fleetwatch-notifier: wired up by the pipeline issue; the entry point exists so the workspace builds. */
export const APP_NAME = "fleetwatch-notifier";
