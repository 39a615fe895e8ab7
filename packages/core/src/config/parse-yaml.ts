import type { Document, Node } from "yaml";
import { isPair, isSeq, parseDocument, visit } from "yaml";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";
import { FLEET_FILE_MAX_ALIASES } from "./fleet-file-limits.js";

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** The field path of a node from its ancestors as `visit` gives them. */
function pathOf(ancestors: readonly unknown[], node: unknown): PropertyKey[] {
  const chain = [...ancestors, node];
  const path: PropertyKey[] = [];
  chain.forEach((item, i) => {
    if (isPair(item)) {
      const key = (item.key as { value?: unknown } | null)?.value;
      path.push(typeof key === "number" ? key : String(key));
    } else if (isSeq(item)) {
      const child = chain[i + 1];
      if (child !== undefined) path.push(item.items.indexOf(child as Node));
    }
  });
  return path;
}

/**
 * Where an alias bomb goes off: the outermost alias that is not itself inside an anchored
 * node (the anchors build the bomb, this use sets it off).
 */
function outermostAlias(doc: Document, text: string): ConfigIssue {
  let best: { path: PropertyKey[]; name: string; line: number; free: boolean } | undefined;
  visit(doc, {
    Alias(_key, node, ancestors) {
      const path = pathOf(ancestors, node);
      const free = !ancestors.some((a) => typeof (a as { anchor?: unknown }).anchor === "string");
      const better = !best || (free && !best.free) || (free === best.free && path.length < best.path.length);
      if (better) best = { path, name: node.source, line: node.range ? lineOf(text, node.range[0]) : 0, free };
    },
  });
  const where = best ? ` (*${best.name} at line ${best.line})` : "";
  return {
    path: best ? formatPath(best.path) : "",
    message: `YAML aliases expand too far${where}: more than ${FLEET_FILE_MAX_ALIASES} alias uses, as in a "billion laughs" file; write the values out`,
  };
}

/**
 * YAML text to plain data, refusing what a fleet file never needs: syntax errors, duplicate
 * keys, unknown tags, alias bombs, nesting deep enough to exhaust the parser.
 */
export function parseYaml(text: string): Result<unknown, ConfigIssue[]> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => {
    const first = e.message.split("\n")[0]!;
    const message = /Maximum call stack/.test(first) ? `YAML nests too deeply${first.replace(/^.*?( at line)/, "$1")}` : `YAML: ${first}`;
    return { path: "", message };
  });
  if (problems.length > 0) return err(problems);
  try {
    return ok(doc.toJS({ maxAliasCount: FLEET_FILE_MAX_ALIASES }));
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) return err([outermostAlias(doc, text)]);
    if (error instanceof RangeError) return err([{ path: "", message: "YAML nests too deeply to read" }]);
    throw error;
  }
}
