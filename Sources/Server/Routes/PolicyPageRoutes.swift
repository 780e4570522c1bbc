import Foundation
import Hummingbird

/// `/privacy`, `/proclaimer` and the configured logo (`/static/logo.svg` or `.png`).
struct PolicyPageRoutes {
    let deps: ServerDependencies
    /// Largest logo served.
    static let maxLogoBytes = 1_000_000

    func register(on router: Router<LantaarnRequestContext>) {
        let pages = PolicyPages(site: deps.site, privacy: deps.privacy, pipelines: deps.pipelines)
        router.get("/privacy") { _, _ -> Response in
            Self.html(pages.privacyStatement())
        }
        router.get("/proclaimer") { _, _ -> Response in
            Self.html(pages.proclaimer())
        }
        if let path = deps.site.logoPath, let file = deps.site.logoFile {
            router.get(RouterPath(path)) { _, _ -> Response in
                guard let data = FileManager.default.contents(atPath: file), data.count <= Self.maxLogoBytes else {
                    throw APIError(.notFound, "the logo is not available")
                }
                return Response(status: .ok, headers: [.contentType: path.hasSuffix(".png") ? "image/png" : "image/svg+xml",
                                                       .cacheControl: "public, max-age=3600"],
                                body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
    }

    private static func html(_ page: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
