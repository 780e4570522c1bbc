import LantaarnModel
import Store

/// `/dashboards/{name}`: the dashboard's title and introduction, then each panel.
struct DashboardPage {
    let dashboard: DashboardDefinition
    let releases: any ReleaseStore
    let maps: any BoundaryMaps
    let site: PublicSite
    let now: Int64

    func render() throws -> String {
        var body = "<h1>\(HTML.escape(dashboard.title))</h1>\n<p class=\"intro\">\(HTML.escape(dashboard.introduction))</p>\n"
        body += "<div class=\"panels\">\n"
        for (i, panel) in dashboard.panels.enumerated() {
            let data = try PanelRows.load(panel, releases: releases)
            body += PanelView(panel: panel, index: i, data: data, maps: maps, now: now).render()
        }
        body += "</div>\n<p><a href=\"/dashboards\">Alle dashboards</a></p>\n"
        return PageLayout(site: site).render(title: dashboard.title, body: body)
    }
}

/// `/dashboards`: every dashboard with its introduction.
struct DashboardIndexPage {
    let catalog: DashboardCatalog
    let site: PublicSite

    func render() -> String {
        var body = """
        <h1>Dashboards</h1>
        <p class="intro">Hier ziet u wat sensoren in de stad meten en wat inwoners melden, per wijk. \
        Alle cijfers zijn open data: u kunt ze ook downloaden. Er staan geen gegevens over personen in.</p>

        """
        if catalog.dashboards.isEmpty {
            body += "<p>Er zijn nog geen dashboards.</p>\n"
        } else {
            body += "<ul class=\"cards\">\n"
            for d in catalog.dashboards {
                body += "<li><h2><a href=\"/dashboards/\(HTML.escape(d.name))\">\(HTML.escape(d.title))</a></h2><p>\(HTML.escape(d.introduction))</p></li>\n"
            }
            body += "</ul>\n"
        }
        body += "<p><a href=\"/datasets\">Alle open data</a></p>\n"
        return PageLayout(site: site).render(title: "Dashboards", body: body)
    }
}
