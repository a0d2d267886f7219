/// Bounded top-k selection: a heap of `k` (score, index) slots whose root is the worst kept entry, so
/// each candidate costs one comparison unless it beats the root (then `O(log k)`); no full sort.
///
/// A slot lives in caller-owned memory (`k` scores and `k` indices), so one table holds the heaps of
/// many queries. Higher scores are better; equal scores prefer the smaller index, so results do not
/// depend on the order candidates arrive in. Empty entries have score `-infinity` and index `Int.max`.
enum TopKHeap {
    /// The index of an entry not filled yet.
    static let emptyIndex = Int.max

    /// Resets a slot to `k` empty entries.
    @inline(__always)
    static func clear(scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        scores.update(repeating: -.infinity, count: k)
        indices.update(repeating: emptyIndex, count: k)
    }

    /// Whether entry (score `s1`, index `i1`) ranks below entry (`s2`, `i2`).
    @inline(__always)
    static func isWorse(_ s1: Float, _ i1: Int, than s2: Float, _ i2: Int) -> Bool {
        s1 < s2 || (s1 == s2 && i1 > i2)
    }

    /// Offers a candidate to the slot; it is kept when it beats the worst entry kept so far.
    @inline(__always)
    static func push(_ score: Float, _ index: Int, scores: UnsafeMutablePointer<Float>,
                     indices: UnsafeMutablePointer<Int>, k: Int) {
        guard isWorse(scores[0], indices[0], than: score, index) else { return }
        siftDown(score, index, from: 0, scores: scores, indices: indices, count: k)
    }

    /// Places (score, index) at `position` of the heap of the first `count` entries and moves it down
    /// until no child is worse.
    @inline(__always)
    static func siftDown(_ score: Float, _ index: Int, from start: Int, scores: UnsafeMutablePointer<Float>,
                         indices: UnsafeMutablePointer<Int>, count: Int) {
        var position = start
        while true {
            let left = 2 * position + 1
            if left >= count { break }
            var child = left
            let right = left + 1
            if right < count && isWorse(scores[right], indices[right], than: scores[left], indices[left]) { child = right }
            if isWorse(score, index, than: scores[child], indices[child]) {
                break
            }
            scores[position] = scores[child]
            indices[position] = indices[child]
            position = child
        }
        scores[position] = score
        indices[position] = index
    }

    /// Offers each of `count` scores `row[j]` with index `firstIndex + j`.
    @inline(__always)
    static func push(row: UnsafePointer<Float>, count: Int, firstIndex: Int, scores: UnsafeMutablePointer<Float>,
                     indices: UnsafeMutablePointer<Int>, k: Int) {
        var worst = scores[0]
        for j in 0..<count where row[j] >= worst {
            push(row[j], firstIndex + j, scores: scores, indices: indices, k: k)
            worst = scores[0]
        }
    }

    /// Sorts the slot in place, best first (empty entries last), by repeatedly moving the worst entry
    /// to the end of the shrinking heap.
    static func sortInPlace(scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        var size = k
        while size > 1 {
            size -= 1
            let lastScore = scores[size], lastIndex = indices[size]
            scores[size] = scores[0]
            indices[size] = indices[0]
            siftDown(lastScore, lastIndex, from: 0, scores: scores, indices: indices, count: size)
        }
    }
}
