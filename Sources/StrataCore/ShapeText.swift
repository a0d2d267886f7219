extension Array where Element == Int {
    /// The shape written the way error messages and comments write it: `(2, 3, 5, 5)`.
    var shapeText: String { "(" + map(String.init).joined(separator: ", ") + ")" }
}
