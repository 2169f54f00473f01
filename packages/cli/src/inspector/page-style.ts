/** The page's CSS (inline in page.ts). */
export const PAGE_STYLE = `
:root { color-scheme: light dark; --line: #8884; --muted: #777; --accent: #2563eb; --danger: #c0262d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; gap: 1em; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 16px; margin: 0; }
#status { margin-left: auto; color: var(--muted); }
h2 { font-size: 15px; margin: 0 0 8px; overflow-wrap: anywhere; }
h3 { font-size: 13px; margin: 14px 0 4px; }
#store-details { margin: 0 0 8px; }
#entry-note { margin: 0 0 6px; }
main { display: grid; grid-template-columns: minmax(160px, 220px) minmax(280px, 1fr) minmax(280px, 1fr); min-height: calc(100vh - 42px); }
nav, section { padding: 12px 16px; min-width: 0; }
nav { border-right: 1px solid var(--line); }
#entry-pane { border-left: 1px solid var(--line); }
ul { list-style: none; margin: 0; padding: 0; }
nav li button { width: 100%; text-align: left; border: 0; background: none; padding: 6px 8px; border-radius: 6px; cursor: pointer; font: inherit; color: inherit; overflow-wrap: anywhere; }
nav li button:hover { background: #8882; }
nav li button[aria-current="true"] { background: var(--accent); color: #fff; }
nav li small { display: block; opacity: .75; }
.muted { color: var(--muted); }
.mono, code, pre, td.key button { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.filter { display: flex; gap: 6px; align-items: center; margin: 8px 0; }
.filter input { flex: 1; min-width: 0; padding: 5px 8px; font: inherit; font-family: ui-monospace, monospace; }
button { font: inherit; padding: 4px 10px; cursor: pointer; }
button:disabled { cursor: default; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th:nth-child(2), td:nth-child(2) { width: 10.5em; }
th:nth-child(3), td:nth-child(3) { width: 32%; }
td.key button { border: 0; background: none; padding: 0; color: var(--accent); text-align: left; overflow-wrap: anywhere; }
tr[aria-selected="true"] td { background: #2563eb22; }
td.meta { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
.expired { color: var(--danger); }
.esc { color: var(--danger); border: 1px dotted currentColor; border-radius: 3px; font-size: 11px; padding: 0 1px; }
.pager { display: flex; gap: 10px; align-items: center; margin-top: 10px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 12px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px; background: #8881; border: 1px solid var(--line); border-radius: 6px; max-height: 55vh; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.danger { color: #fff; background: var(--danger); border: 1px solid var(--danger); border-radius: 4px; }
#delete { margin-top: 14px; }
.error { margin: 8px 16px; padding: 8px 12px; border: 1px solid var(--danger); color: var(--danger); border-radius: 6px; overflow-wrap: anywhere; }
dialog { border: 1px solid var(--line); border-radius: 8px; max-width: 480px; }
dialog code { overflow-wrap: anywhere; }
dialog .actions { display: flex; gap: 8px; justify-content: flex-end; }
@media (max-width: 900px) {
  main { grid-template-columns: 1fr; }
  nav { border-right: 0; border-bottom: 1px solid var(--line); }
  #entry-pane { border-left: 0; border-top: 1px solid var(--line); }
}
`
