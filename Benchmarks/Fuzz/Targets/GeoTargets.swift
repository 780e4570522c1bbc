@testable import Geo

/// `lantaarn geo import`: GeoJSON and TopoJSON boundary files, code and name detection,
/// RD New conversion and ring validation.
enum GeoTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "boundary-import", covers: "GeoJSON and TopoJSON boundary import", maxLength: 65_536,
                   run: { bytes in
                       _ = try? BoundaryImporter(level: .wijk, vintage: 2024, gemeente: "GM0392").read(Array(bytes), source: "fuzz")
                   },
                   seeds: { $0.shared("boundaries", ".geojson") + inline(("topology", """
                       {"type":"Topology","transform":{"scale":[0.001,0.001],"translate":[4.6,52.3]},
                        "objects":{"wijken":{"type":"GeometryCollection","geometries":[
                          {"type":"Polygon","arcs":[[1,0],[3]],"properties":{"WK_CODE":"WK039201","WK_NAAM":"A"}},
                          {"type":"Polygon","arcs":[[2,-1]],"properties":{"WK_CODE":"WK039202","WK_NAAM":"B"}},
                          {"type":"MultiPolygon","arcs":[[[4]],[[5]]],"properties":{"WK_CODE":"WK039203","WK_NAAM":"C"}}]}},
                        "arcs":[[[10,0],[0,10]],[[10,10],[-10,0],[0,-10],[10,0]],[[10,0],[10,0],[0,10],[-10,0]],
                                [[3,3],[0,3],[3,0],[0,-3],[-3,0]],[[30,0],[5,0],[0,5],[-5,0],[0,-5]],[[40,0],[5,0],[0,5],[-5,0],[0,-5]]]}
                       """), ("rd-new", """
                       {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},
                        "features":[{"type":"Feature","properties":{"wijkcode":"01","wijknaam":"Centrum"},
                        "geometry":{"type":"Polygon","coordinates":[[[103000,488000],[104000,488000],[104000,489000],[103000,489000],[103000,488000]]]}}]}
                       """)) }),
    ]
}
