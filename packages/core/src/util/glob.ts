/** `web-*,db-?` → a matcher on names (shell-style `*` and `?`, comma for alternatives). */
export function globMatcher(pattern: string): (name: string) => boolean {
  const alternatives = pattern
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (name) => alternatives.some((re) => re.test(name));
}
