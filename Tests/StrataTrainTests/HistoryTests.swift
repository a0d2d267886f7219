import StrataTrain
import XCTest

final class HistoryTests: XCTestCase {
    func testRecordsSeriesAndWritesCSV() {
        var history = History()
        history.record(epoch: 1, logs: [("loss", 0.5), ("accuracy", 0.8)])
        history.record(epoch: 2, logs: [("loss", 0.25), ("accuracy", 0.9), ("val_loss", 0.3)])
        XCTAssertEqual(history["loss"], [0.5, 0.25])
        XCTAssertEqual(history["val_loss"].count, 2)
        XCTAssertTrue(history["val_loss"][0].isNaN, "a quantity first logged later is NaN before")
        XCTAssertEqual(history.csv(), "epoch,loss,accuracy,val_loss\n1,0.5,0.8,nan\n2,0.25,0.9,0.3\n")
    }
}
