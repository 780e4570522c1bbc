import LantaarnModel

extension Sensor {
    /// A problem with this sensor's definition as `lantaarn sensors check` prints it:
    /// `FILE:LINE: sensors[i].PATH: reason`, pointing at `subpath` under the sensor's entry
    /// (or at the deepest part of it the file has).
    func problem(at subpath: String, _ reason: String) -> String {
        guard let source else { return "sensor \(id): \(reason)" }
        return RegistryError(file: source.file, path: subpath.isEmpty ? source.path : "\(source.path).\(subpath)", reason: reason).located().description
    }

    /// Where the field of `quantity` is written: its `field:`, or the quantity itself.
    func fieldPath(of quantity: String) -> String {
        quantities[quantity]?.field == nil ? "quantities.\(quantity)" : "quantities.\(quantity).field"
    }
}
