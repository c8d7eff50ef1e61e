// policy.json parsing, scope precedence and signed-identity matching; the
// gpg-backed signature checks are in signature_test.cpp.
#include <gtest/gtest.h>

#include "registry/config_test_util.h"
#include "registry/trust_policy.h"

namespace burrow::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

image::Reference image_ref(std::string_view text) {
  auto parsed = image::parse_reference(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(image::Reference{});
}

TrustPolicy policy(std::string_view json) {
  auto parsed = parse_trust_policy(json, "test-policy.json");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(TrustPolicy{});
}

SignatureFetcher no_signatures(int* calls) {
  return [calls]() -> Result<std::vector<std::string>> {
    ++*calls;
    return std::vector<std::string>{};
  };
}

TEST(TrustPolicyTest, ParsesRequirementsPerScope) {
  TrustPolicy parsed = policy(R"({
    "default": [{"type": "reject"}],
    "transports": {
      "docker": {
        "quay.io/ns": [{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/a", "/b"],
                        "signedIdentity": {"type": "exactRepository",
                                           "dockerRepository": "busybox"}}],
        "*.example.com": [{"type": "insecureAcceptAnything"}]
      },
      "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}
    }})");
  EXPECT_EQ(parsed.source, "test-policy.json");
  ASSERT_EQ(parsed.default_requirements.size(), 1u);
  EXPECT_EQ(parsed.default_requirements[0].kind, PolicyRequirement::Kind::kReject);
  const PolicyRequirement& signed_by = parsed.transports["docker"]["quay.io/ns"].at(0);
  EXPECT_EQ(signed_by.kind, PolicyRequirement::Kind::kSignedBy);
  EXPECT_EQ(signed_by.key_files, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(signed_by.signed_identity.kind, SignedIdentity::Kind::kExactRepository);
  EXPECT_EQ(signed_by.signed_identity.reference, "docker.io/library/busybox");
  EXPECT_EQ(parsed.transports["docker-daemon"].count(""), 1u);
}

TEST(TrustPolicyTest, DecodesKeyDataAndDefaultsTheIdentity) {
  TrustPolicy parsed = policy(
      R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "a2V5cmluZw=="}]})");
  const PolicyRequirement& signed_by = parsed.default_requirements.at(0);
  EXPECT_EQ(signed_by.key_data, (std::vector<std::string>{"keyring"}));
  EXPECT_EQ(signed_by.signed_identity.kind, SignedIdentity::Kind::kMatchRepoDigestOrExact);
}

// A policy whose docker transport has just `scope_json`.
std::string scoped(const std::string& scope_json) {
  return R"({"default": [{"type": "reject"}], "transports": {"docker": {)" + scope_json + "}}}";
}

TEST(TrustPolicyTest, RejectsMalformedPolicies) {
  const std::string signed_by = R"("type": "signedBy", "keyType": "GPGKeys")";
  const std::pair<std::string, std::string> cases[] = {
      {"{", "invalid JSON"},
      {"[]", "expected a JSON object"},
      {R"({"transports": {}})", "\"default\" field is missing"},
      {R"({"default": []})", "default: must be a non-empty array"},
      {R"({"default": [{"type": "acceptAll"}]})",
       "default[0]: unknown requirement type \"acceptAll\""},
      {R"({"default": [{"type": "reject", "keyPath": "/k"}]})", "unknown field \"keyPath\""},
      {R"({"default": [{"type": "reject"}], "default": [{"type": "reject"}]})",
       "duplicated field \"default\""},
      {R"({"default": [{"type": "reject"}], "extra": 1})", "unknown field \"extra\""},
      {R"({"default": [{"type": "signedBy", "keyPath": "/k"}]})", "field \"keyType\" is missing"},
      {R"({"default": [{"type": "signedBy", "keyType": "X509Certificates", "keyPath": "/k"}]})",
       "keyType \"X509Certificates\" is not supported"},
      {"{\"default\": [{" + signed_by + "}]}", "exactly one of keyPath, keyPaths and keyData"},
      {"{\"default\": [{" + signed_by + R"(, "keyPath": "/k", "keyData": "eA=="}]})",
       "exactly one of keyPath"},
      {"{\"default\": [{" + signed_by + R"(, "keyData": "not base64!"}]})", "not valid base64"},
      {"{\"default\": [{" + signed_by + R"(, "keyPath": "/k", "signedIdentity": {"type": "x"}}]})",
       "default[0].signedIdentity: unknown signedIdentity type \"x\""},
      {"{\"default\": [{" + signed_by +
           R"(, "keyPath": "/k", "signedIdentity": {"type": "exactReference",
               "dockerReference": "docker.io/library/busybox"}}]})",
       "needs a tag or digest"},
      {"{\"default\": [{" + signed_by +
           R"(, "keyPath": "/k", "signedIdentity": {"type": "remapIdentity",
               "prefix": "docker.io/busybox", "signedPrefix": "quay.io"}}]})",
       "fully expanded form, \"docker.io/library/busybox\""},
      {scoped(R"("busybox": [])"),
       "transports[\"docker\"][\"busybox\"]: \"busybox\" is not a registry host name"},
      {scoped(R"("ex*.com": [{"type": "reject"}])"), "not a registry host name"},
      {scoped(R"("*.": [{"type": "reject"}])"), "invalid wildcard scope"},
  };
  for (const auto& [json, expected] : cases) {
    auto parsed = parse_trust_policy(json, "/etc/p.json");
    ASSERT_FALSE(parsed) << json;
    EXPECT_NE(parsed.error().message.find("invalid signature policy /etc/p.json: "),
              std::string::npos)
        << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
        << json << "\n  gave: " << parsed.error().message;
  }
}

TEST(TrustPolicyTest, ListsScopesMostSpecificFirst) {
  EXPECT_EQ(docker_scopes(image_ref("a.b.example.com:5000/ns/sub/repo:v1")),
            (std::vector<std::string>{
                "a.b.example.com:5000/ns/sub/repo:v1", "a.b.example.com:5000/ns/sub/repo",
                "a.b.example.com:5000/ns/sub", "a.b.example.com:5000/ns", "a.b.example.com:5000",
                "*.b.example.com", "*.example.com", "*.com"}));
  EXPECT_EQ(docker_scopes(image_ref("localhost/app@" + kDigest)),
            (std::vector<std::string>{"localhost/app@" + kDigest, "localhost/app", "localhost"}));
}

TEST(TrustPolicyTest, MostSpecificScopeWins) {
  TrustPolicy parsed = policy(R"({
    "default": [{"type": "reject"}],
    "transports": {"docker": {
      "": [{"type": "insecureAcceptAnything"}, {"type": "reject"}],
      "*.example.com": [{"type": "insecureAcceptAnything"}, {"type": "insecureAcceptAnything"}],
      "r.example.com": [{"type": "reject"}, {"type": "reject"}, {"type": "reject"}],
      "r.example.com/ns": [{"type": "insecureAcceptAnything"}],
      "r.example.com/ns/app:v1": [{"type": "reject"}, {"type": "insecureAcceptAnything"}]
    }}})");
  auto count = [&](std::string_view name) {
    return docker_requirements(parsed, image_ref(name)).size();
  };
  EXPECT_EQ(count("r.example.com/ns/app:v1"), 2u);
  EXPECT_EQ(count("r.example.com/ns/app:v2"), 1u);
  EXPECT_EQ(count("r.example.com/other/app:v1"), 3u);
  EXPECT_EQ(count("s.example.com/app"), 2u);
  EXPECT_EQ(count("quay.io/app"), 2u);
  EXPECT_EQ(
      docker_requirements(policy(R"({"default": [{"type": "reject"}]})"), image_ref("quay.io/a"))
          .at(0)
          .kind,
      PolicyRequirement::Kind::kReject);
}

TEST(TrustPolicyTest, RejectAndAcceptAnything) {
  TrustPolicy parsed = policy(R"({
    "default": [{"type": "insecureAcceptAnything"}],
    "transports": {"docker": {"quay.io/bad": [{"type": "reject"}],
                              "quay.io/new": [{"type": "sigstoreSigned", "keyPath": "/k"}]}}})");
  int calls = 0;
  EXPECT_TRUE(
      check_image_allowed(parsed, image_ref("quay.io/good:1"), kDigest, no_signatures(&calls)));
  auto rejected =
      check_image_allowed(parsed, image_ref("quay.io/bad:1"), kDigest, no_signatures(&calls));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().message,
            "Source image rejected: Running image docker://quay.io/bad:1 is rejected by policy "
            "test-policy.json");
  auto sigstore =
      check_image_allowed(parsed, image_ref("quay.io/new:1"), kDigest, no_signatures(&calls));
  ASSERT_FALSE(sigstore);
  EXPECT_NE(sigstore.error().message.find("sigstoreSigned is not supported"), std::string::npos);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(needs_signatures(parsed, image_ref("quay.io/good:1")));
}

TEST(TrustPolicyTest, SignedByWithoutSignaturesIsRejected) {
  TrustPolicy parsed = policy(
      R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/nonexistent"}]})");
  EXPECT_TRUE(needs_signatures(parsed, image_ref("quay.io/a:1")));
  int calls = 0;
  auto result =
      check_image_allowed(parsed, image_ref("quay.io/a:1"), kDigest, no_signatures(&calls));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "Source image rejected: A signature was required, but no signature exists");
  EXPECT_EQ(calls, 1);
  auto no_source = check_image_allowed(parsed, image_ref("quay.io/a:1"), kDigest, {});
  ASSERT_FALSE(no_source);
  EXPECT_EQ(no_source.error().message, result.error().message);
  auto unreachable = check_image_allowed(parsed, image_ref("quay.io/a:1"), kDigest,
                                         []() -> Result<std::vector<std::string>> {
                                           return base::fail(EIO, "lookaside unreachable");
                                         });
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().message,
            "reading the signatures of quay.io/a:1: lookaside unreachable");
}

SignedIdentity id(SignedIdentity::Kind kind, std::string reference = "", std::string prefix = "",
                  std::string signed_prefix = "") {
  SignedIdentity identity;
  identity.kind = kind;
  identity.reference = std::move(reference);
  identity.prefix = std::move(prefix);
  identity.signed_prefix = std::move(signed_prefix);
  return identity;
}

struct IdentityCase {
  SignedIdentity identity;
  const char* image;
  const char* signed_reference;
  bool accepted;
};

TEST(TrustPolicyTest, MatchesSignedIdentities) {
  using K = SignedIdentity::Kind;
  const std::string by_digest = "quay.io/ns/app@" + kDigest;
  const IdentityCase cases[] = {
      {id(K::kMatchRepoDigestOrExact), "quay.io/ns/app:v1", "quay.io/ns/app:v1", true},
      {id(K::kMatchRepoDigestOrExact), "quay.io/ns/app:v1", "quay.io/ns/app:v2", false},
      {id(K::kMatchRepoDigestOrExact), "quay.io/ns/app:v1", "quay.io/ns/other:v1", false},
      {id(K::kMatchRepoDigestOrExact), by_digest.c_str(), "quay.io/ns/app:v9", true},
      {id(K::kMatchRepoDigestOrExact), by_digest.c_str(), "quay.io/ns/other:v9", false},
      {id(K::kMatchExact), "quay.io/ns/app:v1", "quay.io/ns/app:v1", true},
      {id(K::kMatchExact), by_digest.c_str(), "quay.io/ns/app:v1", false},
      {id(K::kMatchExact), "docker.io/library/busybox:latest", "busybox", false},
      {id(K::kMatchExact), "docker.io/library/busybox:latest", "busybox:latest", true},
      {id(K::kMatchRepository), "quay.io/ns/app:latest", "quay.io/ns/app:1.2", true},
      {id(K::kMatchRepository), "quay.io/ns/app:latest", "quay.io/ns/app2:1.2", false},
      {id(K::kExactReference, "vendor.io/p/app:1"), "mirror.io/app:2", "vendor.io/p/app:1", true},
      {id(K::kExactReference, "vendor.io/p/app:1"), "mirror.io/app:2", "vendor.io/p/app:2", false},
      {id(K::kExactRepository, "vendor.io/p/app"), "mirror.io/app:2", "vendor.io/p/app:7", true},
      {id(K::kRemapIdentity, "", "mirror:5000/vendor", "vendor.example.com"),
       "mirror:5000/vendor/prod/img:1", "vendor.example.com/prod/img:1", true},
      {id(K::kRemapIdentity, "", "mirror:5000/vendor", "vendor.example.com"),
       "mirror:5000/vendor/prod/img:1", "mirror:5000/vendor/prod/img:1", false},
      {id(K::kRemapIdentity, "", "mirror:5000/vendor", "vendor.example.com"),
       "mirror:5000/vendorx/img:1", "mirror:5000/vendorx/img:1", true},
      {id(K::kRemapIdentity, "", "mirror", "vendor.example.com"), "mirror:5000/img:1",
       "vendor.example.com:5000/img:1", false},
  };
  for (const auto& c : cases) {
    auto result = check_signed_identity(c.identity, image_ref(c.image), c.signed_reference);
    EXPECT_EQ(bool(result), c.accepted) << c.image << " signed as " << c.signed_reference;
    if (!result) {
      EXPECT_NE(result.error().message.find("Signature for identity"), std::string::npos);
    }
  }
}

TEST(TrustPolicyTest, LoadsTheUserPolicyBeforeTheSystemOne) {
  testing::TempDir dir;
  testing::ScopedEnv env;
  env.set("XDG_CONFIG_HOME", dir.path());
  std::string user = dir.write("containers/policy.json", R"({"default": [{"type": "reject"}]})");
  auto loaded = load_trust_policy(std::nullopt);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->source, user);

  std::string flagged = dir.write("flag.json", R"({"default": [{"type": "reject"}]})");
  EXPECT_EQ(load_trust_policy(flagged)->source, flagged);
  auto missing = load_trust_policy(dir.path() + "/none.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.json"), std::string::npos);
}

}  // namespace
}  // namespace burrow::registry
