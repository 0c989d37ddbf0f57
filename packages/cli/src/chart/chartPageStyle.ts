/**
 * The chart page's stylesheet, inlined by `toHtml`: layout, the replay panel, and
 * the highlight classes the page script sets on Graphviz's SVG (`.current`,
 * `.taken`, `.hover`).
 *
 * @example
 * const html = `<style>${chartPageStyle}</style>`;
 */
export const chartPageStyle = `
:root { color-scheme: light; --ink: #1a202c; --muted: #5a6478; --accent: #c05621; --take: #d53f8c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #fafbfc; }
header { padding: 14px 22px 6px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: var(--muted); }
main { display: flex; gap: 18px; padding: 8px 22px 18px; align-items: flex-start; }
#chart { flex: 1 1 auto; min-width: 0; background: white; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px; overflow: auto; }
#chart svg { display: block; max-width: 100%; height: auto; }
aside { flex: 0 0 330px; display: flex; flex-direction: column; gap: 14px; }
aside section { background: white; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; }
aside h2, #transitions h2 { margin: 0 0 6px; font-size: 15px; }
.controls { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0; }
.controls button { font: inherit; padding: 3px 10px; border: 1px solid #cbd5e0; border-radius: 5px; background: #f7fafc; cursor: pointer; }
.controls button:hover { background: #edf2f7; }
#step-range { width: 100%; }
#step-label { min-height: 2.9em; margin: 4px 0; font-weight: 600; }
#steps { list-style: none; margin: 0; padding: 0; max-height: 380px; overflow: auto; font-size: 12.5px; }
#steps li { padding: 3px 6px; border-radius: 4px; cursor: pointer; }
#steps li:hover { background: #edf2f7; }
#steps li.active { background: #fefcbf; outline: 1px solid #d69e2e; }
#steps .t { color: var(--muted); font-variant-numeric: tabular-nums; }
#steps .src { color: #2c5282; }
#steps-cut { margin: 2px 0 6px; color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #edf2f7; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
#transitions { margin: 0 22px 24px; background: white; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; }
#transitions tr:hover td { background: #f7fafc; }
#transitions tr.taken td { background: #fde8f1; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; }
.node.current path, .node.current polygon, .node.current ellipse { fill: #fefcbf; stroke: var(--accent); stroke-width: 3px; }
.node.current text { font-weight: bold; }
.edge.taken path { stroke: var(--take); stroke-width: 2.6px; }
.edge.taken polygon { fill: var(--take); stroke: var(--take); }
.edge.taken text { fill: var(--take); font-weight: bold; }
.edge.hover path { stroke: #3182ce; stroke-width: 2.4px; }
.edge.hover polygon { fill: #3182ce; stroke: #3182ce; }
.edge.hover text { fill: #3182ce; }
`;
