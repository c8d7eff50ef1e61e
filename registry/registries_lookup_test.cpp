// registries.conf lookups: prefix matching, pull sources, short names.
#include <gtest/gtest.h>

#include "registry/registries_conf.h"

namespace burrow::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'b');

RegistriesConf parse(const std::string& text) {
  auto conf = parse_registries_conf(text, "/etc/containers/registries.conf");
  EXPECT_TRUE(conf) << conf.error().message;
  return conf.value_or(RegistriesConf{});
}

image::Reference ref(const std::string& text) {
  auto parsed = image::parse_reference(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(image::Reference{});
}

std::vector<std::string> sources(const RegistriesConf& conf, const std::string& text) {
  auto found = pull_sources(conf, ref(text));
  EXPECT_TRUE(found) << found.error().message;
  std::vector<std::string> out;
  for (const auto& source : found.value_or(std::vector<PullSource>{}))
    out.push_back(source.reference + (source.insecure ? " insecure" : ""));
  return out;
}

using Strings = std::vector<std::string>;

TEST(RegistriesFind, LongestPrefixAtComponentBoundaries) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "example.com"
[[registry]]
location = "example.com/foo"
[[registry]]
location = "example.com/foo/bar:1.0"
[[registry]]
prefix = "*.example.com"
[[registry]]
prefix = "*.deep.example.com"
[[registry]]
location = "localhost:5000"
)");
  auto prefix_of = [&](std::string_view name) {
    const RegistryEntry* entry = conf.find(name);
    return entry ? entry->prefix : std::string("(none)");
  };
  EXPECT_EQ(prefix_of("example.com"), "example.com");
  EXPECT_EQ(prefix_of("example.com/other"), "example.com");
  EXPECT_EQ(prefix_of("example.com/foo"), "example.com/foo");
  EXPECT_EQ(prefix_of("example.com/foo/baz"), "example.com/foo");
  EXPECT_EQ(prefix_of("example.com/foobar"), "example.com");
  EXPECT_EQ(prefix_of("example.com/foo:tag"), "example.com/foo");
  EXPECT_EQ(prefix_of("example.com/foo@" + kDigest), "example.com/foo");
  EXPECT_EQ(prefix_of("example.com/foo/bar:1.0"), "example.com/foo/bar:1.0");
  EXPECT_EQ(prefix_of("example.com/foo/bar:1.01"), "example.com/foo");
  EXPECT_EQ(prefix_of("example.com:5000/x"), "(none)");  // another registry
  EXPECT_EQ(prefix_of("a.example.com/x"), "*.example.com");
  EXPECT_EQ(prefix_of("a.b.example.com:443/x"), "*.example.com");
  EXPECT_EQ(prefix_of("a.deep.example.com/x"), "*.deep.example.com");
  EXPECT_EQ(prefix_of("notexample.com/x"), "(none)");
  EXPECT_EQ(prefix_of("a.example.com.evil.io/x"), "(none)");
  EXPECT_EQ(prefix_of("localhost:5000/img"), "localhost:5000");
  EXPECT_EQ(prefix_of("localhost/img"), "(none)");
}

TEST(PullSources, MirrorsThenTheRewrittenLocation) {
  // The man page's example.
  RegistriesConf conf = parse(R"(
[[registry]]
prefix = "example.com/foo"
location = "internal-registry-for-example.com/bar"
[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"
[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true
[[registry]]
location = "registry.com"
[[registry.mirror]]
location = "mirror.registry.com"
)");
  EXPECT_EQ(sources(conf, "example.com/foo/image:latest"),
            (Strings{"example-mirror-0.local/mirror-for-foo/image:latest",
                     "example-mirror-1.local/mirrors/foo/image:latest insecure",
                     "internal-registry-for-example.com/bar/image:latest"}));
  EXPECT_EQ(sources(conf, "example.com/foo@" + kDigest),
            (Strings{"example-mirror-0.local/mirror-for-foo@" + kDigest,
                     "example-mirror-1.local/mirrors/foo@" + kDigest + " insecure",
                     "internal-registry-for-example.com/bar@" + kDigest}));
  EXPECT_EQ(sources(conf, "registry.com/image:1"),
            (Strings{"mirror.registry.com/image:1", "registry.com/image:1"}));
  EXPECT_EQ(sources(conf, "quay.io/other/image:2"), Strings{"quay.io/other/image:2"});
}

TEST(PullSources, DockerHubLibraryPathsAreRewrittenWhole) {
  RegistriesConf conf = parse(R"(
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "hub-cache.local:5000"
insecure = true
)");
  EXPECT_FALSE(pull_sources(conf, ref("busybox"))) << "short names are resolved first";
  EXPECT_EQ(sources(conf, "docker.io/busybox"),
            (Strings{"hub-cache.local:5000/library/busybox:latest insecure",
                     "docker.io/library/busybox:latest"}));
}

TEST(PullSources, DigestOnlyAndTagOnlyMirrors) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "a.io"
[[registry.mirror]]
location = "digests.local"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.local"
pull-from-mirror = "tag-only"
[[registry.mirror]]
location = "all.local"
pull-from-mirror = "all"
[[registry]]
location = "b.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "b-mirror.local"
)");
  EXPECT_EQ(sources(conf, "a.io/x:1"), (Strings{"tags.local/x:1", "all.local/x:1", "a.io/x:1"}));
  EXPECT_EQ(sources(conf, "a.io/x@" + kDigest),
            (Strings{"digests.local/x@" + kDigest, "all.local/x@" + kDigest, "a.io/x@" + kDigest}));
  EXPECT_EQ(sources(conf, "b.io/x:1"), Strings{"b.io/x:1"});
  EXPECT_EQ(sources(conf, "b.io/x@" + kDigest),
            (Strings{"b-mirror.local/x@" + kDigest, "b.io/x@" + kDigest}));
}

TEST(PullSources, WildcardPrefixes) {
  RegistriesConf conf = parse(R"(
[[registry]]
prefix = "*.internal.example"
insecure = true
[[registry.mirror]]
location = "cache.local/internal"
[[registry]]
prefix = "*.moved.example"
location = "new-home.example:8443"
)");
  EXPECT_EQ(
      sources(conf, "reg.internal.example/team/app:2"),
      (Strings{"cache.local/internal/team/app:2", "reg.internal.example/team/app:2 insecure"}));
  EXPECT_EQ(sources(conf, "old.moved.example:5000/app:1"), Strings{"new-home.example:8443/app:1"});
}

TEST(PullSources, BlockedRegistriesAreAnError) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "evil.io"
blocked = true
[[registry]]
location = "evil.io/allowed"
)");
  auto blocked = pull_sources(conf, ref("evil.io/anything:1"));
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message.find("registry \"evil.io\" is blocked in "
                                         "/etc/containers/registries.conf"),
            std::string::npos)
      << blocked.error().message;
  EXPECT_EQ(sources(conf, "evil.io/allowed/x:1"), Strings{"evil.io/allowed/x:1"});
}

TEST(PullSources, AnInvalidRewriteNamesTheEntry) {
  RegistriesConf conf = parse("[[registry]]\nprefix = \"a.io/x\"\nlocation = \"B.IO/Upper\"\n");
  auto result = pull_sources(conf, ref("a.io/x/y:1"));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("prefix \"a.io/x\""), std::string::npos)
      << result.error().message;
}

TEST(InsecureRegistry, FollowsTheMatchingEntry) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "localhost:5000"
insecure = true
[[registry]]
prefix = "*.lab"
insecure = true
[[registry]]
location = "secure.io"
)");
  EXPECT_TRUE(is_insecure_registry(conf, "localhost:5000"));
  EXPECT_TRUE(is_insecure_registry(conf, "box.lab"));
  EXPECT_FALSE(is_insecure_registry(conf, "secure.io"));
  EXPECT_FALSE(is_insecure_registry(conf, "localhost:5001"));
  EXPECT_FALSE(is_insecure_registry(conf, "unknown.io"));
}

std::vector<std::string> candidates(const RegistriesConf& conf, const std::string& text,
                                    bool expect_alias = false) {
  auto found = resolve_short_name(conf, ref(text));
  EXPECT_TRUE(found) << found.error().message;
  if (!found) return {};
  EXPECT_EQ(found->from_alias, expect_alias) << text;
  std::vector<std::string> out;
  for (const auto& candidate : found->candidates) out.push_back(candidate.to_string());
  return out;
}

TEST(ShortNames, QualifiedReferencesAreThemselves) {
  RegistriesConf conf = parse("unqualified-search-registries = [\"a.io\", \"b.io\"]\n");
  EXPECT_EQ(candidates(conf, "quay.io/x/y:1"), Strings{"quay.io/x/y:1"});
  EXPECT_EQ(candidates(conf, "localhost/y"), Strings{"localhost/y:latest"});
}

TEST(ShortNames, OneCandidatePerSearchRegistry) {
  RegistriesConf conf = parse("unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n");
  EXPECT_EQ(candidates(conf, "busybox"),
            (Strings{"quay.io/busybox:latest", "docker.io/library/busybox:latest"}));
  EXPECT_EQ(candidates(conf, "team/app:2"),
            (Strings{"quay.io/team/app:2", "docker.io/team/app:2"}));
  EXPECT_EQ(candidates(conf, "app@" + kDigest),
            (Strings{"quay.io/app@" + kDigest, "docker.io/library/app@" + kDigest}));
}

TEST(ShortNames, AliasesWinAndKeepTheTagOrDigest) {
  RegistriesConf conf = parse(R"(
unqualified-search-registries = ["a.io", "b.io"]
short-name-mode = "enforcing"
[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"tools/app" = "quay.io/team/app"
)");
  EXPECT_EQ(candidates(conf, "fedora", true), Strings{"registry.fedoraproject.org/fedora:latest"});
  EXPECT_EQ(candidates(conf, "fedora:39", true), Strings{"registry.fedoraproject.org/fedora:39"});
  EXPECT_EQ(candidates(conf, "fedora@" + kDigest, true),
            Strings{"registry.fedoraproject.org/fedora@" + kDigest});
  EXPECT_EQ(candidates(conf, "tools/app:1", true), Strings{"quay.io/team/app:1"});
}

TEST(ShortNames, NoSearchRegistriesNamesTheFix) {
  RegistriesConf conf = parse("[aliases]\nother = \"a.io/other\"\n");
  auto found = resolve_short_name(conf, ref("busybox"));
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("short-name \"busybox\" did not resolve to an alias and no "
                                       "unqualified-search registries are defined in "
                                       "registries.conf"),
            std::string::npos)
      << found.error().message;
  EXPECT_NE(found.error().message.find("docker.io/library/busybox"), std::string::npos);
}

TEST(ShortNames, EnforcingRefusesAmbiguityItCannotPromptFor) {
  RegistriesConf several = parse(
      "unqualified-search-registries = [\"a.io\", \"b.io\"]\nshort-name-mode = \"enforcing\"\n");
  auto found = resolve_short_name(several, ref("app"));
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("a.io/app, b.io/app"), std::string::npos)
      << found.error().message;
  EXPECT_NE(found.error().message.find("short-name-mode = \"permissive\""), std::string::npos);

  RegistriesConf one =
      parse("unqualified-search-registries = [\"a.io\"]\nshort-name-mode = \"enforcing\"\n");
  EXPECT_EQ(candidates(one, "app"), Strings{"a.io/app:latest"});
  for (const char* mode : {"permissive", "disabled"}) {
    RegistriesConf relaxed = parse(std::string("unqualified-search-registries = [\"a.io\", "
                                               "\"b.io\"]\nshort-name-mode = \"") +
                                   mode + "\"\n");
    EXPECT_EQ(candidates(relaxed, "app"), (Strings{"a.io/app:latest", "b.io/app:latest"})) << mode;
  }
}

}  // namespace
}  // namespace burrow::registry
