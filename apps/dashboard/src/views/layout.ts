import type { SafeHtml } from "./html.js";
import { html, raw } from "./html.js";
import type { PageText } from "./i18n.js";
import { stateCss } from "./state-style.js";

const CSS = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#111;background:#f6f6f4}
header{background:#1f2933;color:#fff;padding:8px 16px;display:flex;gap:20px;align-items:center}
header a{color:#fff;text-decoration:none}header a.on{text-decoration:underline}header b{font-size:16px;margin-right:12px}
main{padding:12px 16px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:4px 8px;border-bottom:1px solid #e3e3e0;text-align:left;vertical-align:middle}
th{background:#eceae6;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;white-space:nowrap}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px}.counts a{text-decoration:none;border:2px solid transparent;border-radius:12px}.counts a.on{border-color:#111}
.counts .badge{font-size:15px;padding:4px 12px}
.strip{display:inline-flex;align-items:flex-end;gap:1px;height:16px}.strip i{display:inline-block;width:5px}
.s-o{height:5px;background:#009E73}.s-u{height:8px;background:#56B4E9}.s-w{height:11px;background:#E69F00}.s-c{height:16px;background:#D55E00}.s-x{height:16px;background:#CC79A7;outline:1px dotted #000}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:10px}form.filters label{display:flex;flex-direction:column;font-size:12px}
.pager{display:flex;gap:16px;margin:10px 0}.muted{color:#666}.legend ul{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0}
.chart{background:#fff;border:1px solid #ddd;margin:0 12px 12px 0}.charts{display:flex;flex-wrap:wrap}
pre.failure{background:#fff;border-left:4px solid #D55E00;padding:8px;white-space:pre-wrap}
form.silence{background:#fff;padding:10px;display:grid;grid-template-columns:max-content 1fr;gap:6px 10px;max-width:720px}
.error{background:#fde2d5;border-left:4px solid #D55E00;padding:8px}.ok-note{background:#d9f2e9;border-left:4px solid #009E73;padding:8px}
`;

/** Reloads the page every 30 s, unless the operator is typing into a form. */
const REFRESH = `
let typing=false;document.addEventListener("input",()=>{typing=true});
setInterval(()=>{if(!typing&&!document.querySelector("form:focus-within"))location.reload()},30000);
`;

export interface LayoutOptions {
  title: string;
  t: PageText;
  active: "fleet" | "alerts" | "queues" | "host";
  body: SafeHtml;
  refresh?: boolean;
}

export function layout({ title, t, active, body, refresh = true }: LayoutOptions): string {
  const nav = (key: LayoutOptions["active"], href: string, label: string) => html`<a href="${href}" class="${active === key ? "on" : ""}">${label}</a>`;
  return html`<!doctype html>
<html lang="${t.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · fleetwatch</title><style>${raw(CSS + stateCss())}</style></head>
<body><header><b>fleetwatch</b>${nav("fleet", "/", t.fleet)}${nav("alerts", "/alerts", t.alerts)}${nav("queues", "/queues", t.queues)}</header>
<main>${body}</main>${refresh ? html`<script>${raw(REFRESH)}</script>` : ""}</body></html>`.text;
}
