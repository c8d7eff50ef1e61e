// A thin RAII layer over SQLite. WAL mode and a busy timeout let concurrent
// commands share one state file without corrupting it; every multi-row
// change happens inside one transaction, so a killed command leaves either
// all of its rows or none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace burrow::engine {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& text);

  // True while a row is available; false at the end.
  Result<bool> step();
  Status run();  // steps to completion, for statements without rows

  std::string text(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  static Result<Database> open(const std::string& path);
  Database(Database&& other) noexcept;
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;
  ~Database();

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT and rolls back when it
  // fails. Nested calls become savepoints of the outer transaction.
  template <typename F>
  Status transaction(F&& body) {
    bool outer = depth_ == 0;
    BURROW_CHECK(exec(outer ? "BEGIN IMMEDIATE" : "SAVEPOINT nested"));
    ++depth_;
    Status result = body();
    --depth_;
    if (!result) {
      (void)exec(outer ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested");
      return result;
    }
    return exec(outer ? "COMMIT" : "RELEASE nested");
  }

  int64_t changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  Status migrate();
  sqlite3* db_;
  int depth_ = 0;
};

}  // namespace burrow::engine
