@testable import StrataExperiments
import XCTest

/// `AccuracyTimeChart`: the Pareto front per dataset and the chart's series.
final class AccuracyTimeChartTests: XCTestCase {
    private func point(_ model: String, _ accuracy: Double, _ seconds: Double, dataset: String = "mnist") -> AccuracyTimeChart.Point {
        AccuracyTimeChart.Point(run: "runs/\(dataset)-\(model)-\(seconds)", dataset: dataset, model: model,
                                accuracy: accuracy, seconds: seconds, threads: 1)
    }

    func testFrontKeepsOnlyRunsNoOtherBeatsOnBothAxes() {
        let points = AccuracyTimeChart.markFront([
            point("mlp-small", 0.9677, 8),
            point("mlp", 0.9835, 56),
            point("dense128", 0.9790, 60),        // slower and less accurate than mlp: dominated
            point("cnn", 0.9910, 50),             // faster and better than mlp: mlp is dominated
            point("vgg", 0.9965, 1_200),
            point("vgg", 0.9965, 1_300),          // as accurate, slower: dominated
            point("cnn", 0.80, 5, dataset: "fashion-mnist"),   // other dataset: its own front
        ])
        XCTAssertEqual(points.map(\.onFront), [true, false, false, true, true, false, true])
    }

    func testChartHasOneSeriesPerModelAndTheFrontInTimeOrder() {
        let points = AccuracyTimeChart.markFront([
            point("vgg", 0.9965, 1_200), point("cnn", 0.9910, 50), point("cnn", 0.9900, 40),
            point("mlp", 0.9835, 56), point("cnn", 0.85, 5, dataset: "fashion-mnist"),
        ])
        let chart = AccuracyTimeChart.chart(points, dataset: "mnist")
        XCTAssertEqual(chart.series.map(\.name), ["vgg", "cnn", "mlp", "Pareto front"])
        XCTAssertEqual(chart.series[1].x, [50, 40])
        XCTAssertEqual(chart.series[1].style, .none)
        XCTAssertEqual(chart.series[3].x, [40, 50, 1_200])
        XCTAssertEqual(chart.series[3].y, [99.0, 99.1, 99.65])
        XCTAssertEqual(chart.xScale, .log)
        XCTAssertEqual(AccuracyTimeChart.chart(points, dataset: "mnist", time: .processor).xLabel,
                       "training time (processor s, log scale)")
    }
}
