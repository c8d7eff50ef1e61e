#include "engine/container_store.h"

#include <sys/random.h>

#include <array>

#include "base/digest.h"

namespace burrow::engine {
namespace {

ContainerRecord read_row(const Statement& row) {
  ContainerRecord c;
  c.id = row.text(0);
  c.name = row.text(1);
  c.image_id = row.text(2);
  c.image_name = row.text(3);
  c.created_ns = row.integer(4);
  c.state = row.text(5);
  c.config = row.text(6);
  if (!row.is_null(7)) c.pid = row.integer(7);
  if (!row.is_null(8)) c.exit_code = row.integer(8);
  if (!row.is_null(9)) c.started_ns = row.integer(9);
  if (!row.is_null(10)) c.finished_ns = row.integer(10);
  if (!row.is_null(11)) c.monitor_pid = row.integer(11);
  c.pid_start = row.text(12);
  c.restarts = row.integer(13);
  return c;
}

constexpr const char* kColumns =
    "SELECT id, name, image_id, image_name, created, state, config, pid, exit_code, started_at, "
    "finished_at, monitor_pid, pid_start, restarts FROM containers ";

Result<std::vector<ContainerRecord>> read_all(Statement& query) {
  std::vector<ContainerRecord> out;
  for (;;) {
    BURROW_TRY(bool row, query.step());
    if (!row) return out;
    out.push_back(read_row(query));
  }
}

uint32_t random_below(uint32_t bound) {
  uint32_t value = 0;
  if (::getrandom(&value, sizeof value, 0) != sizeof value) value = 0;
  return value % bound;
}

}  // namespace

Status ContainerStore::add(const ContainerRecord& c) {
  BURROW_TRY(bool taken, name_taken(c.name));
  if (taken)
    return base::failf(EEXIST,
                       "the container name \"{}\" is already in use: remove that container or "
                       "choose another --name",
                       c.name);
  BURROW_TRY(auto insert, db_.prepare("INSERT INTO containers(id, name, image_id, image_name, "
                                      "created, state, config) VALUES(?,?,?,?,?,?,?)"));
  auto inserted = insert.bind(1, c.id)
                      .bind(2, c.name)
                      .bind(3, c.image_id)
                      .bind(4, c.image_name)
                      .bind(5, c.created_ns)
                      .bind(6, c.state)
                      .bind(7, c.config)
                      .run();
  // A concurrent command may have taken the name between the check and here.
  if (!inserted && inserted.error().message.find("UNIQUE") != std::string::npos)
    return base::failf(EEXIST, "the container name \"{}\" is already in use", c.name);
  return inserted;
}

Status ContainerStore::set_running(const ContainerRecord& c) {
  BURROW_TRY(
      auto update,
      db_.prepare("UPDATE containers SET state='running', pid=?, pid_start=?, monitor_pid=?, "
                  "started_at=?, exit_code=NULL, finished_at=NULL WHERE id=?"));
  return update.bind(1, c.pid.value_or(0))
      .bind(2, c.pid_start)
      .bind(3, c.monitor_pid.value_or(0))
      .bind(4, c.started_ns.value_or(0))
      .bind(5, c.id)
      .run();
}

Status ContainerStore::set_state(const std::string& id, const std::string& state) {
  BURROW_TRY(auto update, db_.prepare("UPDATE containers SET state=? WHERE id=?"));
  return update.bind(1, state).bind(2, id).run();
}

Status ContainerStore::set_restarts(const std::string& id, int64_t restarts) {
  BURROW_TRY(auto update, db_.prepare("UPDATE containers SET restarts=? WHERE id=?"));
  return update.bind(1, restarts).bind(2, id).run();
}

Status ContainerStore::rename(const std::string& id, const std::string& name) {
  BURROW_TRY(bool taken, name_taken(name));
  if (taken) return base::failf(EEXIST, "the container name \"{}\" is already in use", name);
  BURROW_TRY(auto update, db_.prepare("UPDATE containers SET name=? WHERE id=?"));
  return update.bind(1, name).bind(2, id).run();
}

Status ContainerStore::set_config(const std::string& id, const std::string& config) {
  BURROW_TRY(auto update, db_.prepare("UPDATE containers SET config=? WHERE id=?"));
  return update.bind(1, config).bind(2, id).run();
}

Status ContainerStore::set_exited(const std::string& id, int64_t exit_code, int64_t finished_ns) {
  BURROW_TRY(auto update, db_.prepare("UPDATE containers SET state='exited', pid=NULL, "
                                      "monitor_pid=NULL, exit_code=?, finished_at=? WHERE id=?"));
  return update.bind(1, exit_code).bind(2, finished_ns).bind(3, id).run();
}

Status ContainerStore::remove(const std::string& id) {
  BURROW_TRY(auto del, db_.prepare("DELETE FROM containers WHERE id=?"));
  return del.bind(1, id).run();
}

Result<std::vector<ContainerRecord>> ContainerStore::list() {
  BURROW_TRY(auto query, db_.prepare(std::string(kColumns) + "ORDER BY created DESC, rowid DESC"));
  return read_all(query);
}

Result<std::optional<ContainerRecord>> ContainerStore::get(const std::string& id) {
  BURROW_TRY(auto query, db_.prepare(std::string(kColumns) + "WHERE id=?"));
  query.bind(1, id);
  BURROW_TRY(auto rows, read_all(query));
  if (rows.empty()) return std::optional<ContainerRecord>();
  return std::optional<ContainerRecord>(std::move(rows.front()));
}

Result<ContainerRecord> ContainerStore::find(const std::string& reference) {
  auto not_found = [&] {
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container",
                       reference);
  };
  if (reference.empty()) return not_found();
  BURROW_TRY(auto by_name, db_.prepare(std::string(kColumns) + "WHERE name=? OR id=?"));
  by_name.bind(1, reference).bind(2, reference);
  BURROW_TRY(auto exact, read_all(by_name));
  if (!exact.empty()) return std::move(exact.front());
  if (!base::is_hex(reference)) return not_found();
  // An id prefix: LIKE on hex digits only, so no wildcard can slip in.
  BURROW_TRY(auto by_prefix, db_.prepare(std::string(kColumns) + "WHERE id LIKE ? LIMIT 2"));
  by_prefix.bind(1, reference + "%");
  BURROW_TRY(auto matches, read_all(by_prefix));
  if (matches.empty()) return not_found();
  if (matches.size() > 1)
    return base::failf(EINVAL,
                       "more than one container matches the ID prefix \"{}\": give more of the ID",
                       reference);
  return std::move(matches.front());
}

Result<bool> ContainerStore::name_taken(const std::string& name) {
  BURROW_TRY(auto query, db_.prepare("SELECT 1 FROM containers WHERE name=?"));
  query.bind(1, name);
  return query.step();
}

std::string random_container_name() {
  static constexpr std::array kAdjectives = {
      "agile", "bold",   "brave",  "bright",  "calm",   "clever", "cosy",  "deep",
      "eager", "fond",   "gentle", "happy",   "hidden", "keen",   "kind",  "lively",
      "lucky", "mellow", "nimble", "patient", "proud",  "quick",  "quiet", "rapid",
      "sharp", "shy",    "steady", "sturdy",  "swift",  "tidy",   "warm",  "wise"};
  static constexpr std::array kAnimals = {
      "aardvark", "badger",  "beaver",    "chipmunk", "coney", "dormouse", "ferret",
      "fox",      "gerbil",  "gopher",    "hamster",  "hare",  "hedgehog", "jerboa",
      "marmot",   "meerkat", "mink",      "mole",     "otter", "pika",     "prairiedog",
      "rabbit",   "shrew",   "skunk",     "squirrel", "stoat", "tortoise", "vole",
      "weasel",   "wombat",  "woodchuck", "yak"};
  return std::string(kAdjectives[random_below(kAdjectives.size())]) + "_" +
         kAnimals[random_below(kAnimals.size())];
}

}  // namespace burrow::engine
