import Foundation
import StrataCore
import StrataData
@testable import StrataTrain
import StrataTestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("strata-safetensors-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The tensors that the committed `strata-written.safetensors` holds; keep in step with
    /// `STRATA_WRITTEN` in scripts/make-safetensors-fixture.py, which checks that file in Python.
    static let strataWritten: [String: Tensor] = [
        "layer.bias": Tensor([0.5, -1.25, 3]),
        "layer.kernel": Tensor(shape: [2, 3], scalars: [0.1, -0.0, .leastNonzeroMagnitude, 3.4028235e38, -7, 1.0 / 3.0]),
        "step": Tensor(1234),
        "empty": Tensor(shape: [0, 4], scalars: []),
    ]
    static let strataMetadata = ["epoch": "3", "note": "ünïcode ✓ \"quoted\"\n"]

    private func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

    func testRoundTripsEveryRankBitForBitAndLeavesNoTemporaryFile() throws {
        let url = folder.appendingPathComponent("weights.safetensors")
        let matrix = Tensor(shape: [3, 2], scalars: [1, -2, .nan, .infinity, -.leastNonzeroMagnitude, 0.1])
        let tensors: [String: Tensor] = Self.strataWritten.merging([
            "transposed": matrix.transposed(),          // a view with gaps: stored dense
            "cube": Tensor(shape: [2, 1, 3], scalars: (0..<6).map { Float($0) / 7 }),
        ]) { $1 }
        try SafeTensorsFile.write(tensors, metadata: Self.strataMetadata, to: url)

        let (loaded, metadata) = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(metadata, Self.strataMetadata)
        XCTAssertEqual(Set(loaded.keys), Set(tensors.keys))
        for (name, tensor) in tensors {
            XCTAssertEqual(loaded[name]?.shape, tensor.shape, name)
            XCTAssertEqual(loaded[name].map(bits), bits(tensor), name)
        }
        let header = try SafeTensorsFile.readHeader(from: url)
        XCTAssertEqual(header.entries.map(\.name), tensors.keys.sorted(), "data laid out in name order")
        XCTAssertEqual(header.entries.map(\.dtype), Array(repeating: .float32, count: tensors.count))
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertEqual(listing, ["weights.safetensors"], "the temporary file is renamed, not left behind")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let headerLength = try Data(contentsOf: url).prefix(8).withUnsafeBytes { Int($0.load(as: UInt64.self)) }
        XCTAssertEqual(headerLength % 8, 0, "the header is padded so the data starts 8-byte aligned")
        XCTAssertEqual(size, 8 + headerLength + tensors.values.reduce(0) { $0 + 4 * $1.count })

        try SafeTensorsFile.write(["only": Tensor(1)], to: url)   // replaces the file
        let replaced = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(Array(replaced.tensors.keys), ["only"])
        XCTAssertEqual(replaced.metadata, [:])
    }

    func testReadsTheFileWrittenByPython() throws {
        // Written by `python3 scripts/make-safetensors-fixture.py` (safetensors 0.8 through PyTorch),
        // which prints these Float32 values.
        let url = try fixtureURL("python-written")
        let (tensors, metadata) = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(metadata, ["format": "pt", "source": "scripts/make-safetensors-fixture.py",
                                  "note": "ünïcode ✓ \"quoted\""])
        let expected: [String: (shape: [Int], bits: [UInt32])] = [
            "matrix": ([2, 3], [0x3FC0_0000, 0xC000_0000, 0x3E80_0000, 0x4040_0000, 0x8000_0000, 0x3A83_126F]),
            "vector": ([4], [0x3DCC_CCCD, 0x0000_0001, 0x7F7F_FFFF, 0xC0E0_0000]),
            "scalar": ([], [0x422A_0000]),
            "empty": ([0, 3], []),
            "cube": ([2, 1, 2], [0x3F80_0000, 0x4000_0000, 0x4040_0000, 0x4080_0000]),
            "double": ([3], [0x3DCC_CCCD, 0xC020_0000, 0x3EAA_AAAB]),      // F64 0.1, -2.5, 1/3 rounded
            "counts": ([3], [0xC0E0_0000, 0x0000_0000, 0x4CEB_79A3]),      // I64 -7, 0, 123456789 → 123456792
            "half": ([3], [0x3F00_0000, 0xC77F_E000, 0x3380_0000]),        // F16 0.5, -65504, 2^-24
            "bfloat": ([3], [0x3F80_0000, 0xC049_0000, 0x7180_0000]),      // BF16 1, -3.140625, 2^100
            "flags": ([3], [0x3F80_0000, 0x0000_0000, 0x3F80_0000]),       // BOOL
            "bytes": ([3], [0x0000_0000, 0x437F_0000, 0x40E0_0000]),       // U8 0, 255, 7
        ]
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys))
        for (name, (shape, expectedBits)) in expected {
            XCTAssertEqual(tensors[name]?.shape, shape, name)
            XCTAssertEqual(tensors[name].map(bits), expectedBits, name)
        }
        XCTAssertEqual(tensors["double"]?.scalars, [Float(0.1 as Double), -2.5, Float(1.0 / 3.0 as Double)])
        let dtypes = try SafeTensorsFile.readHeader(from: url).entries.map { "\($0.name):\($0.dtype.rawValue)" }
        XCTAssertEqual(Set(dtypes), ["matrix:F32", "vector:F32", "scalar:F32", "empty:F32", "cube:F32",
                                     "double:F64", "counts:I64", "half:F16", "bfloat:BF16", "flags:BOOL",
                                     "bytes:U8"])
    }

    /// Strata's output is deterministic, so the committed fixture (which the Python script verifies
    /// with `--check`) must equal what the writer produces now. `STRATA_UPDATE_FIXTURES=1` rewrites it.
    func testWriterReproducesTheCommittedFixture() throws {
        let url = folder.appendingPathComponent("strata-written.safetensors")
        try SafeTensorsFile.write(Self.strataWritten, metadata: Self.strataMetadata, to: url)
        let written = try Data(contentsOf: url)
        if ProcessInfo.processInfo.environment["STRATA_UPDATE_FIXTURES"] == "1" {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/strata-written.safetensors")
            try written.write(to: source)
        }
        XCTAssertEqual(written, try Data(contentsOf: fixtureURL("strata-written")),
                       "rerun with STRATA_UPDATE_FIXTURES=1, then check it with scripts/make-safetensors-fixture.py --check")
    }

    func testHalfPrecisionConversionIsExactForEveryBitPattern() {
        #if !(os(macOS) && arch(x86_64))
        for pattern in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: pattern)), actual = SafeTensorsDType.halfToFloat(pattern)
            if expected.isNaN { XCTAssertTrue(actual.isNaN); continue }
            XCTAssertEqual(actual.bitPattern, expected.bitPattern, "half 0x\(String(pattern, radix: 16))")
        }
        #endif
    }

    // MARK: - Failures

    func testRefusesCorruptFilesWithMessagesNamingFileAndFault() throws {
        let entry = { (dtype: String, shape: String, offsets: String) in
            "{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
        }
        let cases: [(label: String, bytes: [UInt8], fault: String)] = [
            ("empty", [], "0 bytes long, too short"),
            ("short", [1, 2, 3], "3 bytes long, too short"),
            ("absurd", lengthPrefix(200_000_000) + Array("{}".utf8), "exceeds the limit of 100000000"),
            ("huge", lengthPrefix(.max) + Array("{}".utf8), "exceeds the limit"),
            ("beyond", lengthPrefix(1000) + Array("{}      ".utf8), "header length 1000 is larger than the 8 bytes"),
            ("not-json", file("{\"a\": [1, 2}"), "the header is not valid JSON ("),
            ("not-utf8", file("{\"a\u{1}\":1}").map { $0 == 1 ? 0xFF : $0 }, "the header is not valid JSON ("),
            ("not-object", file("[1, 2, 3]"), "not a JSON object"),
            ("entry-not-object", file("{\"a\": 5}"), "tensor 'a' must be an object, not a number"),
            ("no-dtype", file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: 4), "tensor 'a' has no 'dtype'"),
            ("no-shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", data: 4), "tensor 'a' has no 'shape'"),
            ("no-offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data: 4), "tensor 'a' has no 'data_offsets'"),
            ("dtype-number", file("{\"a\":\(entry("F32", "[1]", "[0,4]").replacingOccurrences(of: "\"F32\"", with: "32"))}", data: 4),
             "'dtype' that is a number"),
            ("unknown-dtype", file("{\"a\":\(entry("Q4", "[1]", "[0,4]"))}", data: 4), "tensor 'a' has dtype Q4"),
            ("fp8-dtype", file("{\"w\":\(entry("F8_E4M3", "[4]", "[0,4]"))}", data: 4), "tensor 'w' has dtype F8_E4M3"),
            ("negative-shape", file("{\"a\":\(entry("F32", "[-1]", "[0,4]"))}", data: 4), "'shape' that is not a list"),
            ("fractional-offset", file("{\"a\":\(entry("F32", "[1]", "[0,4.5]"))}", data: 4), "not two non-negative integers"),
            ("one-offset", file("{\"a\":\(entry("F32", "[1]", "[4]"))}", data: 4), "not two non-negative integers"),
            ("reversed-offsets", file("{\"a\":\(entry("F32", "[0]", "[8,4]"))}", data: 8), "end before they begin"),
            ("size-mismatch", file("{\"a\":\(entry("F32", "[2]", "[0,4]"))}", data: 4),
             "tensor 'a' of shape [2] and dtype F32 needs 8 bytes but its 'data_offsets' [0, 4] span 4"),
            ("shape-overflow", file("{\"a\":\(entry("F32", "[4611686018427387904,4]", "[0,4]"))}", data: 4), "too large"),
            ("overlap", file("{\"a\":\(entry("F32", "[2]", "[0,8]")),\"b\":\(entry("F32", "[2]", "[4,12]"))}", data: 12),
             "tensor 'b' (data bytes 4..<12) overlaps tensor 'a' (data bytes 0..<8)"),
            ("gap", file("{\"a\":\(entry("F32", "[1]", "[0,4]")),\"b\":\(entry("F32", "[1]", "[8,12]"))}", data: 12),
             "no tensor covers data bytes 4..<8 (before tensor 'b')"),
            ("extra-data", file("{\"a\":\(entry("F32", "[1]", "[0,4]"))}", data: 8), "8 bytes of data follow the header but the tensors cover only 4"),
            ("out-of-range", file("{\"a\":\(entry("F32", "[1]", "[1099511627776,1099511627780]"))}", data: 4),
             "no tensor covers data bytes 0..<1099511627776"),
            ("truncated", file("{\"a\":\(entry("F32", "[1]", "[0,4]")),\"b\":\(entry("F64", "[2]", "[4,20]"))}", data: 10),
             "tensor 'b' needs data bytes 4..<20 but the data section holds only 10 bytes (the file is truncated"),
            ("metadata-number", file("{\"__metadata__\":{\"epoch\":3}}"), "'__metadata__' value of 'epoch' must be a string, not a number"),
            ("metadata-list", file("{\"__metadata__\":[]}"), "'__metadata__' must be an object of strings"),
        ]
        for (label, bytes, fault) in cases {
            let url = folder.appendingPathComponent("\(label).safetensors")
            try Data(bytes).write(to: url)
            var readError: CheckpointError?
            XCTAssertThrowsError(try SafeTensorsFile.read(from: url), label) { readError = $0 as? CheckpointError }
            let message = readError.map(String.init(describing:)) ?? "no CheckpointError"
            XCTAssertTrue(message.contains(url.path), "\(label): \(message)")
            XCTAssertTrue(message.contains(fault), "\(label): expected '\(fault)' in: \(message)")
            XCTAssertThrowsError(try SafeTensorsFile.readHeader(from: url), label) {
                XCTAssertEqual($0 as? CheckpointError, readError, "readHeader agrees with read: \(label)")
            }
        }
    }

    func testNamesTheFileThatCannotBeRead() {
        let url = folder.appendingPathComponent("missing.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.read(from: url)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot read safetensors file \(url.path): "), "\($0)")
        }
        XCTAssertThrowsError(try SafeTensorsFile.readHeader(from: url)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot read safetensors file \(url.path): "), "\($0)")
        }
    }

    func testRefusesTheReservedMetadataName() {
        let url = folder.appendingPathComponent("reserved.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.write(["__metadata__": Tensor(1)], to: url)) {
            XCTAssertTrue("\($0)".contains("'__metadata__' is reserved"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    /// An interruption mid-write (simulated by a sink that throws after some bytes) leaves the old file.
    func testInterruptedWriteLeavesTheExistingFileAndNoTemporary() throws {
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensorsFile.write(Self.strataWritten, to: url)
        let before = try Data(contentsOf: url)
        struct Interrupted: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: url) { sink in
            try [UInt8](repeating: 0, count: 100).withUnsafeBytes { try sink($0) }
            throw Interrupted()
        }) { XCTAssertTrue($0 is Interrupted) }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testFailedWritesThrowNamingThePathAndLeaveOldContents() throws {
        // The target is a folder: the rename fails (even for root), the folder and its file survive.
        let occupied = folder.appendingPathComponent("occupied.safetensors", isDirectory: true)
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: occupied.appendingPathComponent("inside"))
        XCTAssertThrowsError(try SafeTensorsFile.write(Self.strataWritten, to: occupied)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot write safetensors file \(occupied.path): cannot rename"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: occupied.appendingPathComponent("inside")), Data("keep".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["occupied.safetensors"])

        // The parent is a file: the temporary cannot be created.
        let plain = folder.appendingPathComponent("plain")
        try Data("plain".utf8).write(to: plain)
        let impossible = plain.appendingPathComponent("model.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.write(Self.strataWritten, to: impossible)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot write safetensors file \(impossible.path): cannot create"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: plain), Data("plain".utf8))
    }

    func testFullDiskKeepsTheExistingFile() throws {
        // A file-size limit makes the write fail as a full disk would, for root too (unlike a read-only folder).
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensorsFile.write(Self.strataWritten, to: url)
        let before = try Data(contentsOf: url)
        try withFileSizeLimit(64) {
            XCTAssertThrowsError(try SafeTensorsFile.write(["other": Tensor.zeros([64])], to: url)) {
                XCTAssertTrue("\($0)".hasPrefix("cannot write safetensors file \(url.path): cannot write to the temporary file"),
                              "\($0)")
                XCTAssertTrue("\($0)".hasSuffix("(File too large)"), "\($0)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    // MARK: - Helpers

    private func lengthPrefix(_ length: UInt64) -> [UInt8] {
        withUnsafeBytes(of: length.littleEndian) { Array($0) }
    }

    /// A file with `header` (padded to 8 bytes) followed by `data` bytes of 0x41.
    private func file(_ header: String, data: Int = 0) -> [UInt8] {
        var json = Array(header.utf8)
        json += repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        return lengthPrefix(UInt64(json.count)) + json + [UInt8](repeating: 0x41, count: data)
    }

    private func fixtureURL(_ name: String) throws -> URL {
        let url = Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures")
            ?? Bundle.module.resourceURL?.appendingPathComponent("Fixtures/\(name).safetensors")
        return try XCTUnwrap(url.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil },
                             "no Fixtures/\(name).safetensors in the test bundle")
    }
}
