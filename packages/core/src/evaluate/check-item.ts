import { z } from "zod";
import { SEVERITIES } from "./severity.js";

/** One judged check of a host: `cpu`, `memory`, `disk:/var`, `process:kubelet`, `ssh`… */
export const checkItemSchema = z.object({
  name: z.string(),
  state: z.enum(SEVERITIES),
  value: z.number().optional(),
  unit: z.enum(["%", "load/core"]).optional(),
  threshold: z.object({ warning: z.number().optional(), critical: z.number().optional() }).optional(),
  message: z.string(),
});
export type CheckItem = z.infer<typeof checkItemSchema>;
