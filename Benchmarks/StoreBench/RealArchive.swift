import BenchSupport
import Foundation
import LantaarnModel

/// The real Sensor.Community archive CSVs (`;`-separated), as (sensor, quantity, ts, value).
enum RealArchive {
    static func load(directory: String) throws -> [SeriesGenerator.Row] {
        var rows: [SeriesGenerator.Row] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where file.hasSuffix(".csv") {
            let lines = try String(contentsOfFile: directory + "/" + file, encoding: .utf8).split(separator: "\n")
            guard let header = lines.first?.split(separator: ";", omittingEmptySubsequences: false).map(String.init),
                  let tsIndex = header.firstIndex(of: "timestamp") else { continue }
            let quantities = ["P1", "P2", "temperature", "humidity", "pressure"].compactMap { q in header.firstIndex(of: q).map { (q, $0) } }
            for line in lines.dropFirst() {
                let f = line.split(separator: ";", omittingEmptySubsequences: false)
                guard f.count == header.count, let sensor = Int(f[0]), let ts = ISO8601.parse(String(f[tsIndex]) + "Z") else { continue }
                for (q, i) in quantities {
                    if let v = Double(f[i]) { rows.append(.init(sensor: sensor, wijk: "WK039201", quantity: q, ts: ts, value: v)) }
                }
            }
        }
        return rows
    }
}
