import type { DingtalkStandIn, ReceivedMessage } from "../dingtalk-stand-in.js";
import type { Timeline } from "./timeline.js";

/** The header line of a message as the demo prints it: `📨 DingTalk #2 (rings 138…): TITLE`. */
export const MESSAGE_MARK = "📨 DingTalk";

/**
 * Prints each message the DingTalk stand-in accepts the moment it arrives, as the chat would
 * show it: title, whom it rings, and the markdown text, indented under the time it arrived.
 */
export function printMessagesAsTheyArrive(standIn: DingtalkStandIn, timeline: Timeline): void {
  standIn.on("message", (message: ReceivedMessage) => {
    const number = standIn.received.indexOf(message) + 1;
    const rings = message.rung.length > 0 ? ` (rings ${message.rung.join(", ")})` : "";
    timeline.say(`${MESSAGE_MARK} #${number}${rings}: ${message.title}`, message.at);
    timeline.detail(message.text, "│ ");
  });
}
