// registries.conf parsing and loading (drop-ins, alias cache, search paths).
#include <gtest/gtest.h>

#include "registry/config_test_util.h"
#include "registry/registries_conf.h"

namespace burrow::registry {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

constexpr const char* kExample = R"(
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io/"]
short-name-mode = "enforcing"
credential-helpers = ["containers-auth.json"]
some-future-key = 42

[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar/"
insecure = false

[[registry.mirror]]
location = "mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "mirror-1.local:5000/mirrors/foo"
insecure = true
pull-from-mirror = "digest-only"

[[registry]]
location = "plain.example.org"
insecure = true
future-field = "unknown keys are ignored, as Podman does"

[[registry]]
prefix = "*.corp.example"
blocked = true

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"alpine" = "docker.io/alpine"
)";

TEST(RegistriesConfParse, ReadsEveryField) {
  auto conf = parse_registries_conf(kExample, "/etc/containers/registries.conf");
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_EQ(conf->unqualified_search_registries,
            (std::vector<std::string>{"registry.fedoraproject.org", "docker.io"}));
  EXPECT_EQ(conf->search_registries_origin, "/etc/containers/registries.conf");
  EXPECT_EQ(conf->short_name_mode, "enforcing");
  ASSERT_EQ(conf->registries.size(), 3u);

  const RegistryEntry& foo = conf->registries[0];
  EXPECT_EQ(foo.prefix, "example.com/foo");
  EXPECT_EQ(foo.location, "internal.example.net/bar");  // trailing slash trimmed
  EXPECT_FALSE(foo.insecure);
  EXPECT_FALSE(foo.blocked);
  EXPECT_EQ(foo.origin, "/etc/containers/registries.conf");
  ASSERT_EQ(foo.mirrors.size(), 2u);
  EXPECT_EQ(foo.mirrors[0].location, "mirror-0.local/mirror-for-foo");
  EXPECT_FALSE(foo.mirrors[0].insecure);
  EXPECT_EQ(foo.mirrors[0].pull_from_mirror, "");
  EXPECT_EQ(foo.mirrors[1].location, "mirror-1.local:5000/mirrors/foo");
  EXPECT_TRUE(foo.mirrors[1].insecure);
  EXPECT_EQ(foo.mirrors[1].pull_from_mirror, "digest-only");

  EXPECT_EQ(conf->registries[1].prefix, "plain.example.org");  // defaults to location
  EXPECT_TRUE(conf->registries[1].insecure);
  EXPECT_EQ(conf->registries[2].prefix, "*.corp.example");
  EXPECT_EQ(conf->registries[2].location, "");
  EXPECT_TRUE(conf->registries[2].blocked);

  EXPECT_EQ(conf->aliases.at("fedora"), "registry.fedoraproject.org/fedora");
  EXPECT_EQ(conf->aliases.at("alpine"), "docker.io/library/alpine");  // normalised
}

TEST(RegistriesConfParse, EmptyTextIsAnEmptyConfiguration) {
  auto conf = parse_registries_conf("", "empty.conf");
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_TRUE(conf->registries.empty());
  EXPECT_TRUE(conf->search_registries_origin.empty());
  conf = parse_registries_conf("registry = []\n", "empty-array.conf");
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_TRUE(conf->registries.empty());
}

TEST(RegistriesConfParse, FirstTableWinsForADuplicatedPrefix) {
  auto conf = parse_registries_conf(
      "[[registry]]\nlocation = \"a.io\"\ninsecure = true\n"
      "[[registry]]\nlocation = \"a.io\"\n",
      "dup.conf");
  ASSERT_TRUE(conf) << conf.error().message;
  ASSERT_EQ(conf->registries.size(), 1u);
  EXPECT_TRUE(conf->registries[0].insecure);
}

void expect_error(const std::string& text, const std::string& needle) {
  auto conf = parse_registries_conf(text, "/my/registries.conf");
  ASSERT_FALSE(conf) << "accepted: " << text;
  EXPECT_NE(conf.error().message.find("/my/registries.conf"), std::string::npos)
      << conf.error().message;
  EXPECT_NE(conf.error().message.find(needle), std::string::npos) << conf.error().message;
}

TEST(RegistriesConfParse, RejectsTheVersion1Format) {
  expect_error("[registries.search]\nregistries = ['docker.io']\n", "version 1 format");
  expect_error("[registries.block]\nregistries = ['x.io']\n", "unqualified-search-registries");
}

TEST(RegistriesConfParse, WrongTypesNameTheKey) {
  expect_error("unqualified-search-registries = \"docker.io\"\n",
               "\"unqualified-search-registries\" must be an array of strings");
  expect_error("unqualified-search-registries = [1]\n", "must be an array of strings");
  expect_error("short-name-mode = true\n", "\"short-name-mode\" must be a string");
  expect_error("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n",
               "\"insecure\" in [[registry]] #1 must be true or false");
  expect_error("[[registry]]\nlocation = 5\n", "\"location\" in [[registry]] #1 must be a string");
  expect_error(
      "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m\"\n"
      "insecure = 1\n",
      "\"insecure\" in [[registry]] #1 mirror #1 must be true or false");
  expect_error("registry = \"a.io\"\n", "\"registry\" must be an array of tables");
  expect_error("aliases = [\"x\"]\n", "\"aliases\" must be a table");
  expect_error("[aliases]\nfoo = 3\n", "\"foo\" in [aliases] must be a string");
}

TEST(RegistriesConfParse, InvalidValuesSayWhatToDo) {
  expect_error("short-name-mode = \"strict\"\n", "must be \"enforcing\", \"permissive\"");
  expect_error("unqualified-search-registries = [\"docker.io/library\"]\n",
               "host[:port] without a path");
  expect_error("[[registry]]\nlocation = \"https://a.io\"\n", "remove the scheme");
  expect_error("[[registry]]\ninsecure = true\n", "set location");
  expect_error("[[registry]]\nprefix = \"a.io/foo\"\n", "needs a location");
  expect_error("[[registry]]\nprefix = \"*.a.io/foo\"\n", "must have the form *.example.com");
  expect_error("[[registry]]\nprefix = \"a.*.io\"\nlocation = \"b.io\"\n", "only as a leading");
  expect_error("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\ninsecure = true\n",
               "mirror #1: location must be set");
  expect_error(
      "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\n"
      "pull-from-mirror = \"sometimes\"\n",
      "\"digest-only\" or \"tag-only\"");
  expect_error(
      "[[registry]]\nlocation = \"a.io\"\nmirror-by-digest-only = true\n"
      "[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"tag-only\"\n",
      "keep only one of them");
  expect_error("[[registry]]\nlocation = \"a.io\"\npull-from-mirror = \"all\"\n",
               "[[registry.mirror]]");
  expect_error("[aliases]\n\"docker.io/foo\" = \"docker.io/library/foo\"\n", "short name");
  expect_error("[aliases]\n\"foo:1\" = \"docker.io/library/foo\"\n", "short name");
  expect_error("[aliases]\nfoo = \"foo\"\n", "fully qualified");
  expect_error("[aliases]\nfoo = \"quay.io/foo:1\"\n", "without tag or digest");
}

TEST(RegistriesConfParse, SyntaxErrorsGiveTheLine) {
  expect_error("unqualified-search-registries = [\"a.io\"\n\n", "fix the TOML syntax");
  expect_error("x = 1\n[[registry]\n", "line 2");
}

// Drop-ins and the alias cache, from files in a temporary tree.
class RegistriesConfLoad : public ::testing::Test {
 protected:
  TempDir dir_;
  RegistriesConfPaths paths_{
      dir_.path() + "/etc/registries.conf",
      {dir_.path() + "/etc/registries.conf.d", dir_.path() + "/home/registries.conf.d"},
      dir_.path() + "/cache/short-name-aliases.conf"};
};

TEST_F(RegistriesConfLoad, MissingFilesAreAnEmptyConfiguration) {
  auto conf = load_registries_conf(paths_);
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_TRUE(conf->registries.empty());
  EXPECT_TRUE(conf->unqualified_search_registries.empty());
  EXPECT_TRUE(conf->aliases.empty());
}

TEST_F(RegistriesConfLoad, DropInsOverrideInOrder) {
  dir_.write("etc/registries.conf",
             "unqualified-search-registries = [\"a.io\"]\nshort-name-mode = \"enforcing\"\n"
             "[[registry]]\nlocation = \"keep.io\"\n"
             "[[registry]]\nlocation = \"replace.io\"\ninsecure = true\n"
             "[aliases]\nkept = \"a.io/kept\"\nerased = \"a.io/erased\"\nchanged = \"a.io/x\"\n");
  // Name order: 10 before 20; the user's directory after the system's.
  dir_.write("etc/registries.conf.d/20-second.conf",
             "unqualified-search-registries = [\"c.io\"]\n"
             "[[registry]]\nlocation = \"replace.io\"\nblocked = true\n");
  dir_.write("etc/registries.conf.d/10-first.conf",
             "unqualified-search-registries = [\"b.io\"]\nshort-name-mode = \"disabled\"\n");
  dir_.write("etc/registries.conf.d/ignored.txt", "this is not TOML [");
  dir_.write("etc/registries.conf.d/sub.conf/x.conf", "this is not TOML [");
  dir_.write("home/registries.conf.d/user.conf",
             "[[registry]]\nlocation = \"new.io\"\n"
             "[aliases]\nerased = \"\"\nchanged = \"b.io/y\"\n");
  auto conf = load_registries_conf(paths_);
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_EQ(conf->unqualified_search_registries, std::vector<std::string>{"c.io"});
  EXPECT_EQ(conf->search_registries_origin, dir_.path() + "/etc/registries.conf.d/20-second.conf");
  EXPECT_EQ(conf->short_name_mode, "disabled");
  ASSERT_NE(conf->find("replace.io"), nullptr);
  EXPECT_TRUE(conf->find("replace.io")->blocked);
  EXPECT_FALSE(conf->find("replace.io")->insecure);  // the whole table was replaced
  EXPECT_NE(conf->find("keep.io"), nullptr);
  EXPECT_NE(conf->find("new.io"), nullptr);
  EXPECT_EQ(conf->aliases.at("kept"), "a.io/kept");
  EXPECT_EQ(conf->aliases.count("erased"), 0u);
  EXPECT_EQ(conf->aliases.at("changed"), "b.io/y");
  EXPECT_EQ(conf->alias_origins.at("changed"), dir_.path() + "/home/registries.conf.d/user.conf");
}

TEST_F(RegistriesConfLoad, AnEmptyListInADropInClearsTheSearchRegistries) {
  dir_.write("etc/registries.conf", "unqualified-search-registries = [\"a.io\"]\n");
  dir_.write("etc/registries.conf.d/none.conf", "unqualified-search-registries = []\n");
  auto conf = load_registries_conf(paths_);
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_TRUE(conf->unqualified_search_registries.empty());
}

TEST_F(RegistriesConfLoad, TheAliasCacheWins) {
  dir_.write("etc/registries.conf", "[aliases]\nfoo = \"a.io/foo\"\nbar = \"a.io/bar\"\n");
  dir_.write("cache/short-name-aliases.conf", "[aliases]\nfoo = \"quay.io/foo\"\n");
  auto conf = load_registries_conf(paths_);
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_EQ(conf->aliases.at("foo"), "quay.io/foo");
  EXPECT_EQ(conf->aliases.at("bar"), "a.io/bar");
}

TEST_F(RegistriesConfLoad, ABrokenDropInIsAnErrorNamingIt) {
  std::string file = dir_.write("home/registries.conf.d/bad.conf",
                                "[registries.search]\n"
                                "registries = []\n");
  auto conf = load_registries_conf(paths_);
  ASSERT_FALSE(conf);
  EXPECT_NE(conf.error().message.find(file), std::string::npos) << conf.error().message;
}

TEST(RegistriesConfPaths, PinnedFileIsUsedAlone) {
  ScopedEnv env;
  env.set("CONTAINERS_REGISTRIES_CONF", "/tmp/pinned.conf");
  RegistriesConfPaths paths = registries_conf_paths(1000);
  EXPECT_EQ(paths.main_file, "/tmp/pinned.conf");
  EXPECT_TRUE(paths.drop_in_dirs.empty());
  EXPECT_EQ(paths.aliases_file, "");
}

TEST(RegistriesConfPaths, UserFileReplacesTheSystemOne) {
  TempDir dir;
  ScopedEnv env;
  env.set("CONTAINERS_REGISTRIES_CONF", std::nullopt)
      .set("XDG_CONFIG_HOME", dir.path() + "/config")
      .set("XDG_CACHE_HOME", dir.path() + "/cache");
  RegistriesConfPaths system = registries_conf_paths(1000);
  EXPECT_EQ(system.main_file, "/etc/containers/registries.conf");
  EXPECT_EQ(system.drop_in_dirs,
            (std::vector<std::string>{"/etc/containers/registries.conf.d",
                                      dir.path() + "/config/containers/registries.conf.d"}));
  EXPECT_EQ(system.aliases_file, dir.path() + "/cache/containers/short-name-aliases.conf");
  EXPECT_EQ(registries_conf_paths(0).aliases_file, "/var/cache/containers/short-name-aliases.conf");

  dir.write("config/containers/registries.conf", "");
  RegistriesConfPaths user = registries_conf_paths(1000);
  EXPECT_EQ(user.main_file, dir.path() + "/config/containers/registries.conf");
  EXPECT_EQ(user.drop_in_dirs,
            std::vector<std::string>{dir.path() + "/config/containers/registries.conf.d"});
}

TEST(RegistriesConfPaths, HomeIsTheDefaultForXdgDirs) {
  ScopedEnv env;
  env.set("XDG_CONFIG_HOME", std::nullopt)
      .set("XDG_CACHE_HOME", "relative/is/ignored")
      .set("HOME", "/home/someone");
  EXPECT_EQ(user_config_home(), "/home/someone/.config");
  EXPECT_EQ(user_cache_home(), "/home/someone/.cache");
}

}  // namespace
}  // namespace burrow::registry
