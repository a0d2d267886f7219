import Foundation
import StrataPlot

/// Small synthetic charts of every kind, shared by the file tests and the example renderer.
enum SampleCharts {
    static let fashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Train and validation accuracy over 12 epochs, with markers.
    static func accuracy() -> LineChart {
        let epochs = (1...12).map(Double.init)
        let train = epochs.map { 0.99 - 0.12 * exp(-$0 / 2.5) }
        let validation = epochs.map { 0.975 - 0.11 * exp(-$0 / 2.2) - 0.0008 * $0 }
        var chart = LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy")
        chart.add(series: "train", x: epochs, y: train, marker: .circle)
        chart.add(series: "validation", x: epochs, y: validation, style: .dashed, marker: .square)
        return chart
    }

    /// Train and validation loss on a log axis.
    static func logLoss() -> LineChart {
        let epochs = (1...20).map(Double.init)
        var chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy", yScale: .log)
        chart.add(series: "train", x: epochs, y: epochs.map { 2.3 * exp(-$0 / 3) + 0.004 })
        chart.add(series: "validation", x: epochs, y: epochs.map { 2.3 * exp(-$0 / 3.2) + 0.03 + 0.001 * $0 })
        return chart
    }

    /// One validation-accuracy curve per batch size.
    static func batchSizes() -> LineChart {
        var chart = LineChart(title: "Validation accuracy by batch size", xLabel: "epoch",
                              yLabel: "validation accuracy")
        for (k, batch) in [16, 32, 64, 128, 256].enumerated() {
            let rate = 1.2 + Double(k) * 0.9
            let y = (1...15).map { 0.985 - 0.02 * Double(k) / 4 - 0.15 * exp(-Double($0) / rate) }
            chart.add(series: "batch \(batch)", y: y)
        }
        return chart
    }

    /// Per-class image counts with long class names.
    static func classCounts() -> BarChart {
        let counts = [6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000]
            .enumerated().map { $1 - 37 * ($0 % 4) }
        return BarChart(title: "Fashion-MNIST training images per class", yLabel: "images",
                        categories: fashionClasses, counts: counts)
    }

    /// Scores of 300 points per digit, spread with jitter.
    static func scores() -> StripChart {
        var random = TestRandom(seed: 7)
        var chart = StripChart(title: "RankNet score by digit", xLabel: "digit", yLabel: "score")
        for digit in 0..<10 {
            let values = (0..<300).map { _ in Double(digit) * 0.8 - 3.5 + random.normal() * 0.6 }
            chart.add(category: String(digit), values: values)
        }
        return chart
    }

    /// A 10-class confusion matrix of 1,000 test images per class.
    static func confusion() -> Heatmap {
        var random = TestRandom(seed: 3)
        let counts = (0..<10).map { row -> [Int] in
            var r = (0..<10).map { col in col == row ? 0 : Int(random.unit() * random.unit() * 40) }
            if row == 6 { r[0] = 110; r[2] = 70; r[4] = 60 }   // shirts confused with T-shirts, pullovers, coats
            r[row] = 1000 - r.reduce(0, +)
            return r
        }
        return Heatmap.confusionMatrix(counts, classes: fashionClasses)
    }

    /// 16 synthetic 28×28 digits, some with red "wrong" captions.
    static func images() -> ImageGrid {
        var grid = ImageGrid(title: "Misclassified test images", columns: 8)
        for i in 0..<16 {
            let wrong = i % 3 == 0
            grid.add(image: syntheticDigit(i), width: 28, height: 28,
                     caption: "true \(i % 10) / pred \((i * 7 + 1) % 10)",
                     captionColor: wrong ? Color(hex: 0xd62728) : nil)
        }
        return grid
    }

    /// A blurry ring or bar, different for each `k`, as gray levels.
    static func syntheticDigit(_ k: Int) -> [UInt8] {
        (0..<28 * 28).map { index in
            let (x, y) = (Double(index % 28) - 13.5, Double(index / 28) - 13.5)
            let angle = Double(k) * 0.4
            let u = x * cos(angle) + y * sin(angle)
            let v = -x * sin(angle) + y * cos(angle)
            let d = k % 2 == 0 ? abs(hypot(u / 0.7, v) - 8) : hypot(max(0, abs(v) - 9), u)
            return UInt8(max(0, min(255, 255 * (1.6 - d / 1.6))))
        }
    }
}

/// A seeded generator for test data (xorshift64*).
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func unit() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53)
    }

    mutating func normal() -> Double {
        sqrt(-2 * log(max(1e-12, unit()))) * cos(2 * Double.pi * unit())
    }
}
