// SQLite's C API (Debian: libsqlite3-dev), for the run store of StrataTracking.
#include <sqlite3.h>
