#include "engine/database.h"

#include <sqlite3.h>
#include <unistd.h>

#include <utility>

#include "engine/schema.h"

namespace burrow::engine {
namespace {

tl::unexpected<Error> sqlite_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  int err = (code & 0xff) == SQLITE_BUSY ? EBUSY : EIO;
  return base::failf(err, "state database: {}: {}", what, sqlite3_errmsg(db));
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, *text) : bind_null(index);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, sqlite3_sql(stmt_));
}

Status Statement::run() {
  for (;;) {
    BURROW_TRY(bool row, step());
    if (!row) return base::ok();
  }
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(data, static_cast<size_t>(size)) : std::string();
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening " + path);
  // Concurrent commands wait for each other instead of failing with BUSY.
  sqlite3_busy_timeout(raw, 30000);
  // Switching a new database to WAL needs an exclusive lock, and when two
  // commands try it at once SQLite answers BUSY without calling the busy
  // handler: retry for as long as the busy timeout would have waited.
  Status wal = db.exec("PRAGMA journal_mode=WAL");
  for (int attempt = 0; !wal && wal.error().code == EBUSY && attempt < 3000; ++attempt) {
    ::usleep(10000);
    wal = db.exec("PRAGMA journal_mode=WAL");
  }
  BURROW_CHECK(wal);
  // Keep the -wal and -shm files between commands, emptied on close: every
  // command would otherwise create both afresh (an inode allocation and a
  // directory sync on the first commit) and unlink them again when it ends.
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  BURROW_CHECK(
      db.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=0"));
  BURROW_CHECK(db.migrate());
  return db;
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : "unknown error";
    sqlite3_free(message);
    int err = (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_BUSY ? EBUSY : EIO;
    return base::failf(err, "state database: {}", detail);
  }
  return base::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return sqlite_error(db_, sql);
  return Statement(db_, stmt);
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

Status Database::migrate() {
  // The statement is finalized before returning: a statement left open holds
  // a read lock, and BEGIN IMMEDIATE from a reader that another writer is
  // waiting on fails with BUSY at once instead of waiting.
  auto read_version = [this]() -> Result<int64_t> {
    BURROW_TRY(auto stmt, prepare("PRAGMA user_version"));
    BURROW_TRY(bool has_row, stmt.step());
    return has_row ? stmt.integer(0) : 0;
  };
  BURROW_TRY(int64_t version, read_version());
  if (version >= kSchemaVersion) return base::ok();
  // Concurrent commands on a new store all get here; the version is read
  // again under the write lock so only the first one migrates.
  return transaction([&]() -> Status {
    BURROW_TRY(version, read_version());
    for (int64_t v = version; v < kSchemaVersion; ++v)
      BURROW_CHECK(exec(kSchemaMigrations[static_cast<size_t>(v)]));
    return exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  });
}

}  // namespace burrow::engine
