import Foundation

/// A thread-safe dictionary of created oneDNN primitives (or plans made of several) keyed by shapes
/// and parameters.
///
/// Creating a primitive costs far more than running a small one, and a training loop repeats the
/// same shapes every step, so each kernel keeps one cache and creates a primitive once per key.
/// When the cache holds `capacity` primitives it is emptied (shapes that change every call, such as
/// a shrinking last batch of each epoch, cannot grow it without bound).
final class DNNLPrimitiveCache<Key: Hashable, Value>: @unchecked Sendable {
    private var primitives: [Key: Value] = [:]
    private var lock = pthread_mutex_t()
    private let capacity: Int

    /// An empty cache that holds at most `capacity` primitives.
    init(capacity: Int = 256) {
        self.capacity = capacity
        pthread_mutex_init(&lock, nil)
    }

    /// The primitive for `key`, created by `make` on first use.
    func primitive(for key: Key, make: () -> Value) -> Value {
        pthread_mutex_lock(&lock)
        if let cached = primitives[key] {
            pthread_mutex_unlock(&lock)
            return cached
        }
        pthread_mutex_unlock(&lock)
        // Created outside the lock: `make` may itself look up another primitive (a backward pass
        // asks for its forward hint) in this same cache.
        let created = make()
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if let raced = primitives[key] { return raced }
        if primitives.count >= capacity { primitives.removeAll() }
        primitives[key] = created
        return created
    }

    /// The number of primitives held.
    var count: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return primitives.count
    }
}
