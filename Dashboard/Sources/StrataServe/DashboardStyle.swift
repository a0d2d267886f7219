/// The dashboard's style sheet (system fonts only).
enum DashboardStyle {
    /// The CSS.
    static let text = #"""
    :root { --ink: #1d232b; --muted: #67707c; --line: #d9dee4; --panel: #f6f8fa; --accent: #2160c4; --error: #b3261e; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
    header.top { display: flex; gap: 12px; align-items: baseline; padding: 10px 20px; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; font-size: 18px; color: var(--ink); text-decoration: none; }
    .subtitle, .muted { color: var(--muted); }
    main { padding: 12px 20px 40px; }
    h1 { font-size: 20px; margin: 6px 0 10px; }
    h2 { font-size: 15px; margin: 0 0 8px; }
    a { color: var(--accent); }
    .toolbar, .actions { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 8px 0; }
    .filter { display: flex; gap: 6px; flex: 1 1 480px; }
    #filter { flex: 1; font-family: ui-monospace, Menlo, Consolas, monospace; }
    input[type=text], select, button { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; background: white; }
    button { cursor: pointer; background: var(--panel); }
    button:disabled { cursor: default; color: var(--muted); }
    .error { color: var(--error); background: #fdecea; border: 1px solid #f4c7c3; border-radius: 4px; padding: 6px 10px;
             font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; }
    .table-wrap { overflow-x: auto; max-height: 60vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px; }
    table { border-collapse: collapse; width: 100%; }
    th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
    th { background: var(--panel); position: sticky; top: 0; font-weight: 600; }
    th.sortable { cursor: pointer; user-select: none; }
    th.sorted-asc::after { content: " ▲"; } th.sorted-desc::after { content: " ▼"; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    tr.filtered-out { display: none; }
    tr.selected { background: #eaf1fd; }
    .status { padding: 1px 6px; border-radius: 8px; font-size: 12px; background: #e8eaed; }
    .status-running { background: #d7f0dd; } .status-crashed, .status-failed { background: #fbd9d6; }
    .status-killed { background: #fdebc8; }
    .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin: 14px 0; }
    .columns { display: flex; flex-wrap: wrap; gap: 14px; } .columns > .panel { flex: 1 1 380px; margin: 0; }
    .panel table { background: white; }
    svg.chart, svg.parallel { width: 100%; background: white; border: 1px solid var(--line); border-radius: 4px; display: block; }
    svg .axis line, svg .grid line { stroke: var(--line); } svg .axis text, svg text.label { fill: var(--muted); font-size: 11px; }
    svg .curve { fill: none; stroke-width: 1.8; } svg .raw-line { fill: none; stroke-width: 1; opacity: 0.25; }
    svg .band { stroke: none; opacity: 0.18; }
    svg .pc-line { fill: none; stroke-width: 1.4; opacity: 0.75; } svg .pc-line.dimmed { stroke: #c9ced4 !important; opacity: 0.35; }
    svg .pc-axis line { stroke: var(--ink); } svg .pc-axis text { fill: var(--ink); font-size: 11px; }
    svg .pc-hit { fill: transparent; cursor: crosshair; } svg .pc-brush { fill: var(--accent); opacity: 0.2; pointer-events: none; }
    .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
    .legend .swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; }
    .downsampled-mark { color: #8a5300; background: #fff4dc; border: 1px solid #f1d9a5; border-radius: 4px; padding: 2px 8px; font-size: 12px; }
    .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
    .charts figure { margin: 0; } .charts figcaption { font-weight: 600; margin-bottom: 4px; }
    .images { display: flex; flex-wrap: wrap; gap: 12px; } .images figure { margin: 0; background: white; padding: 6px; border: 1px solid var(--line); }
    .images img { max-width: 460px; display: block; } .images figcaption { color: var(--muted); font-size: 12px; }
    dl.info { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
    dl.info dt { color: var(--muted); } dl.info dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
    """#
}
