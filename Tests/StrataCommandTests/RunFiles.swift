import Foundation
import XCTest

/// Readers for what the commands write (CSV, JSON, safetensors, PNG), kept independent of Strata's own
/// code so the tests check the files as another program would read them.
enum RunFiles {
    /// The header and rows of a comma-separated file (no quoting: Strata's CSVs need none).
    static func csv(_ url: URL) throws -> (header: [String], rows: [[String]]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        return (lines.first ?? [], Array(lines.dropFirst()))
    }

    /// The top-level object of a JSON file.
    static func json(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try XCTUnwrap(object as? [String: Any], "\(url.path) is not a JSON object")
    }

    /// Whether the file exists, starts with the PNG signature and holds more than its header.
    static func isPNG(_ url: URL) -> Bool {
        guard let bytes = try? Data(contentsOf: url) else { return false }
        return bytes.count > 33 && Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    /// The Float32 tensors of a safetensors file, by name, in row-major order.
    static func safetensors(_ url: URL) throws -> [String: [Float]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertGreaterThan(bytes.count, 8, url.path)
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any] ?? [:]
        var tensors: [String: [Float]] = [:]
        for (name, entry) in header where name != "__metadata__" {
            let fields = try XCTUnwrap(entry as? [String: Any], "\(url.path): entry \(name)")
            XCTAssertEqual(fields["dtype"] as? String, "F32", "\(url.path): \(name)")
            let offsets = try XCTUnwrap(fields["data_offsets"] as? [Int], "\(url.path): \(name)")
            let start = 8 + headerLength + offsets[0], end = 8 + headerLength + offsets[1]
            tensors[name] = stride(from: start, to: end, by: 4).map { at in
                Float(bitPattern: bytes[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
        }
        return tensors
    }

    /// The largest absolute difference between two sets of tensors with the same names and sizes.
    static func largestDifference(_ a: [String: [Float]], _ b: [String: [Float]]) -> Float {
        precondition(Set(a.keys) == Set(b.keys), "different tensors: \(a.keys.sorted()) and \(b.keys.sorted())")
        return a.keys.map { name in zip(a[name]!, b[name]!).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }
}
