/// The one stylesheet, served from `/static/lantaarn.css` (same origin, allowed by the CSP).
/// Mobile first: one column that widens; readable at 320 px. The house colour comes from
/// `site.colour` in lantaarn.yaml.
enum Stylesheet {
    static func css(colour: String) -> String {
        """
        :root { --ink: #1a1a1a; --muted: #555; --accent: \(colour); --line: #d0d0d0; --bg: #fff; --soft: #f5f5f5; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header, main, footer { padding: 1rem; max-width: 76rem; margin: 0 auto; }
        header { display: flex; align-items: center; gap: .75rem; border-bottom: 4px solid var(--accent); }
        header p { margin: 0; font-weight: 600; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
        .skip:focus { left: 1rem; z-index: 10; }
        h1 { font-size: 1.6rem; line-height: 1.25; color: var(--accent); overflow-wrap: anywhere; }
        h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .5rem; }
        a { color: var(--accent); }
        a:focus-visible, summary:focus-visible, .scroll:focus-visible, button:focus-visible, input:focus-visible {
          outline: 3px solid #1a1a1a; outline-offset: 2px; box-shadow: 0 0 0 6px #ffdd00; }
        .intro { max-width: 44rem; font-size: 1.05rem; }
        .grid, .panels { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.25rem; }
        @media (min-width: 40rem) { .grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
        @media (min-width: 64rem) {
          .grid { grid-template-columns: repeat(3, minmax(0, 1fr)); }
          .panels { grid-template-columns: repeat(2, minmax(0, 1fr)); }
          .panel.wide { grid-column: 1 / -1; }
        }
        .panel, figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; min-width: 0; }
        .panel > p { max-width: 48rem; }
        figure { border-color: #e6e6e6; padding: .5rem; }
        figcaption { font-weight: 600; margin-bottom: .25rem; }
        svg.chart { width: 100%; height: auto; display: block; max-width: 28rem; }
        svg.map { max-width: 30rem; }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; margin-bottom: .75rem; }
        .multiples svg.chart { max-width: none; }
        .map-legend { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
        .map-legend svg.map { flex: 1 1 16rem; }
        .legend { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .95rem; }
        .map-legend .legend { flex-direction: column; flex: 0 1 14rem; }
        .legend svg { vertical-align: middle; }
        .kpi { margin: .25rem 0; }
        .kpi-value { font-size: 2.6rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
        .kpi-unit { font-size: 1.2rem; }
        .verdicts { list-style: none; padding: 0; margin: .25rem 0; }
        .verdicts li { padding: .25rem .5rem; margin: .25rem 0; border-left: 5px solid; }
        .verdicts .below { border-color: #1b7837; background: #eef7ec; }
        .verdicts .above { border-color: #a50026; background: #fdecea; font-weight: 600; }
        .tiles { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; }
        .tile { border: 1px solid var(--line); border-left: 10px solid; border-radius: 4px; padding: .5rem .75rem; }
        .tile p { margin: .2rem 0; }
        .tile-name { font-weight: 700; }
        .tile-state { font-weight: 600; }
        .tile-rood { border-left-color: #a50026; background: #fdecea; }
        .tile-oranje { border-left-color: #b35900; background: #fff3e0; }
        .tile-groen { border-left-color: #1b7837; background: #eef7ec; }
        .cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
        .cards li { border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 4px; padding: .75rem; }
        .cards h2 { font-size: 1.15rem; }
        .empty { padding: .75rem; background: var(--soft); }
        details { margin: .5rem 0; }
        summary { cursor: pointer; color: var(--accent); text-decoration: underline; padding: .25rem 0; }
        .scroll { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .meta { color: var(--muted); font-size: .9rem; }
        .downloads { font-size: .95rem; }
        footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
        """
    }
}
