import type { SimulatedHostServerOptions } from "./simulated-host-server.js";
import { SimulatedHostServer } from "./simulated-host-server.js";

/**
 * One process of a simulated fleet (started by `SimulatedFleet`): receives its hosts over
 * IPC, serves them, answers `counts` requests, and exits on `stop` or when its parent goes.
 */
let server: SimulatedHostServer | undefined;

process.on("message", (message: { type: "start"; options: SimulatedHostServerOptions } | { type: "counts" } | { type: "stop" }) => {
  if (message.type === "start") {
    server = new SimulatedHostServer(message.options);
    server.start().then(
      () => process.send!({ type: "ready" }),
      (error: Error) => process.send!({ type: "error", message: error.message }),
    );
  } else if (message.type === "counts") {
    process.send!({ type: "counts", counts: server?.counts ?? null });
  } else if (message.type === "stop") {
    void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
