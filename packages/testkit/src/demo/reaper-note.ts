/** One line the demo writes to its reaper (see reaper.ts). */
export type ReaperNote = { group: number } | { path: string } | { user: string } | { done: true };
