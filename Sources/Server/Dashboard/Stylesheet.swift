/// The one stylesheet, served from `/static/lantaarn.css` (same origin, allowed by the CSP).
/// Mobile first: one column that widens; readable at 320 px.
enum Stylesheet {
    static let css = """
    :root { --ink: #1a1a1a; --muted: #555; --accent: #00538a; --line: #d0d0d0; --bg: #fff; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
    header, main, footer { padding: 1rem; max-width: 70rem; margin: 0 auto; }
    header { border-bottom: 4px solid var(--accent); }
    header p { margin: 0; font-weight: 600; }
    h1 { font-size: 1.6rem; line-height: 1.25; }
    h2 { font-size: 1.25rem; margin-top: 2rem; }
    a { color: var(--accent); }
    a:focus, summary:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
    .grid { display: grid; grid-template-columns: 1fr; gap: 1.5rem; }
    @media (min-width: 40rem) { .grid { grid-template-columns: 1fr 1fr; } }
    @media (min-width: 64rem) { .grid { grid-template-columns: 1fr 1fr 1fr; } }
    figure { margin: 0; border: 1px solid var(--line); border-radius: 4px; padding: .75rem; }
    figcaption { font-weight: 600; margin-bottom: .5rem; }
    svg { width: 100%; height: auto; display: block; }
    table { border-collapse: collapse; width: 100%; font-size: .9rem; }
    th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .meta { color: var(--muted); font-size: .9rem; }
    footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
    """
}
