import Foundation

extension RunStore {
    /// The schema's migrations, identifier and SQL, applied in order when a store opens (each once, in
    /// one transaction, recorded in `migrations`); a migration once released is never edited, a change of
    /// schema is a new migration.
    static let migrations: [(identifier: String, sql: String)] = [
        ("v1: experiments, runs, params, metrics, summaries, artifacts", """
                CREATE TABLE experiments (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL
                );
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
                    name TEXT NOT NULL,
                    command TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
                    started REAL NOT NULL,
                    ended REAL,
                    heartbeat REAL NOT NULL,
                    folder TEXT,
                    revision TEXT,
                    world_size INTEGER NOT NULL DEFAULT 1,
                    archived INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX runs_by_folder ON runs(folder);
                CREATE INDEX runs_by_experiment ON runs(experiment_id);
                -- value has no type, so numbers stay numbers and words stay text (filters compare numbers numerically).
                CREATE TABLE params (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value,
                    PRIMARY KEY (run_id, name)
                ) WITHOUT ROWID;
                CREATE TABLE metrics (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    epoch INTEGER,
                    wall_time REAL NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (run_id, name, step)
                ) WITHOUT ROWID;
                CREATE TABLE metric_summaries (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    latest REAL NOT NULL,
                    latest_step INTEGER NOT NULL,
                    best REAL,
                    best_step INTEGER,
                    PRIMARY KEY (run_id, name)
                ) WITHOUT ROWID;
                CREATE INDEX metric_summaries_by_name ON metric_summaries(name, best);
                CREATE TABLE artifacts (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    bytes INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    PRIMARY KEY (run_id, path)
                ) WITHOUT ROWID;
                """),
        ("v2: metric_summaries.count, each metric's number of points (counting them on every listing read every point)", """
                ALTER TABLE metric_summaries ADD COLUMN count INTEGER NOT NULL DEFAULT 0;
                UPDATE metric_summaries SET count = (SELECT count(*) FROM metrics m
                    WHERE m.run_id = metric_summaries.run_id AND m.name = metric_summaries.name);
                """),
    ]

    /// Applies the migrations the store lacks, in order, in one transaction.
    func migrate() throws {
        try database.write {
            try database.execute("CREATE TABLE IF NOT EXISTS migrations (identifier TEXT PRIMARY KEY, applied REAL NOT NULL);")
            let applied = Set(try appliedMigrations())
            for (identifier, sql) in Self.migrations where !applied.contains(identifier) {
                try database.execute(sql)
                try database.execute("INSERT INTO migrations (identifier, applied) VALUES (?, ?)",
                                     [identifier, Date().timeIntervalSince1970])
            }
        }
    }

    /// The identifiers of the migrations applied to the store, in order.
    public func appliedMigrations() throws -> [String] {
        try database.query("SELECT identifier FROM migrations ORDER BY rowid").map { $0.text("identifier") }
    }
}
