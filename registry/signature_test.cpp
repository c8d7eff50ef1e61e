// Simple signing with real gpg: two throwaway keys (no passphrase) in private
// GNUPGHOMEs, signatures made by create_signature and checked through the
// policy as pull checks them.
#include "registry/signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>

#include "base/child_process.h"
#include "base/strings.h"
#include "registry/config_test_util.h"
#include "registry/trust_policy.h"

namespace burrow::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'b');
const std::string kOtherDigest = "sha256:" + std::string(64, 'c');
const std::string kImage = "localhost:5000/ns/app:v1";

struct TestKey {
  std::string home;  // its GNUPGHOME
  std::string fingerprint;
  std::string public_key;  // exported keyring file
};

std::string gpg_output(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"gpg", "--batch", "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = base::run_process(argv);
  EXPECT_TRUE(run && run->exit_code == 0) << (run ? run->output : run.error().message);
  return run ? run->output : "";
}

TestKey make_key(const std::string& dir, const std::string& name) {
  TestKey key{base::path_join(dir, name), "", base::path_join(dir, name + ".gpg")};
  EXPECT_TRUE(base::make_dirs(key.home, 0700));
  gpg_output({"--homedir", key.home, "--pinentry-mode", "loopback", "--passphrase", "",
              "--quick-gen-key", name + " <" + name + "@example.com>", "ed25519", "sign", "never"});
  for (const std::string& line :
       base::split(gpg_output({"--homedir", key.home, "--with-colons", "--list-keys"}), '\n')) {
    if (key.fingerprint.empty() && line.starts_with("fpr:"))
      key.fingerprint = base::split(line, ':')[9];
  }
  gpg_output({"--homedir", key.home, "--output", key.public_key, "--export"});
  return key;
}

class SignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (base::find_program("gpg").empty()) return;
    dir_ = new testing::TempDir();
    trusted_ = make_key(dir_->path(), "trusted");
    other_ = make_key(dir_->path(), "other");
  }
  static void TearDownTestSuite() {
    if (!dir_) return;
    // Signing and key generation started a gpg-agent in each home.
    for (const TestKey* key : {&trusted_, &other_})
      (void)base::run_process({"gpgconf", "--homedir", key->home, "--kill", "gpg-agent"});
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "gpg is not installed";
    ASSERT_FALSE(trusted_.fingerprint.empty());
  }

  static std::string sign(const TestKey& key, const std::string& digest,
                          const std::string& reference) {
    testing::ScopedEnv env;
    env.set("GNUPGHOME", key.home);
    auto signature = create_signature(digest, reference, key.fingerprint);
    EXPECT_TRUE(signature) << signature.error().message;
    return signature.value_or("");
  }

  static TrustPolicy trusted_policy() {
    auto policy = parse_trust_policy(
        R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": ")" +
            trusted_.public_key + "\"}]}",
        "policy.json");
    EXPECT_TRUE(policy) << policy.error().message;
    return policy.value_or(TrustPolicy{});
  }

  static Status check(const std::vector<std::string>& signatures, const TrustPolicy& policy,
                      const std::string& image = kImage) {
    return check_image_allowed(policy, *image::parse_reference(image), kDigest,
                               [&]() -> Result<std::vector<std::string>> { return signatures; });
  }

  static void expect_rejected(const Status& status, const std::string& why) {
    ASSERT_FALSE(status);
    EXPECT_TRUE(status.error().message.starts_with("Source image rejected: "))
        << status.error().message;
    EXPECT_NE(status.error().message.find(why), std::string::npos) << status.error().message;
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline TestKey trusted_;
  static inline TestKey other_;
};

TEST_F(SignatureTest, AcceptsAValidSignature) {
  std::string signature = sign(trusted_, kDigest, kImage);
  auto payload = verify_signature(signature, {trusted_.public_key}, {});
  ASSERT_TRUE(payload) << payload.error().message;
  EXPECT_EQ(payload->docker_manifest_digest, kDigest);
  EXPECT_EQ(payload->docker_reference, kImage);
  EXPECT_EQ(payload->signer_fingerprint, trusted_.fingerprint);
  EXPECT_TRUE(check({signature}, trusted_policy()));
  // By digest, any tag of the same repository will do (matchRepoDigestOrExact).
  EXPECT_TRUE(check({signature}, trusted_policy(), "localhost:5000/ns/app@" + kDigest));
}

TEST_F(SignatureTest, AcceptsArmoredSignaturesAndKeyData) {
  std::string payload_file =
      dir_->write("payload.json", make_signature_payload(kDigest, kImage, 1));
  std::string armored_file = base::path_join(dir_->path(), "payload.asc");
  gpg_output({"--homedir", trusted_.home, "--yes", "--armor", "--output", armored_file, "--sign",
              payload_file});
  auto armored = base::read_file(armored_file);
  ASSERT_TRUE(armored);
  std::string keyring = base::read_file(trusted_.public_key).value_or("");
  std::string encoded(4 * ((keyring.size() + 2) / 3) + 1, '\0');
  encoded.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                 reinterpret_cast<const unsigned char*>(keyring.data()),
                                 static_cast<int>(keyring.size())));
  auto policy = parse_trust_policy(
      R"({"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": ")" + encoded + "\"}]}",
      "policy.json");
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_TRUE(check({*armored}, *policy));
}

TEST_F(SignatureTest, RejectsASignatureByAnotherKey) {
  expect_rejected(check({sign(other_, kDigest, kImage)}, trusted_policy()),
                  other_.fingerprint.substr(24) + " is not accepted");
}

TEST_F(SignatureTest, RejectsAPayloadForAnotherDigest) {
  expect_rejected(check({sign(trusted_, kOtherDigest, kImage)}, trusted_policy()),
                  "Signature for docker-manifest-digest " + kOtherDigest + " does not match");
}

TEST_F(SignatureTest, RejectsAPayloadForAnotherRepository) {
  expect_rejected(check({sign(trusted_, kDigest, "localhost:5000/ns/other:v1")}, trusted_policy()),
                  "Signature for identity localhost:5000/ns/other:v1 is not accepted");
}

TEST_F(SignatureTest, RejectsGarbledSignatures) {
  std::string signature = sign(trusted_, kDigest, kImage);
  signature[signature.size() - 20] ^= 0x55;
  expect_rejected(check({signature}, trusted_policy()), "Invalid GPG signature");
  expect_rejected(check({"not a signature at all"}, trusted_policy()), "Invalid GPG signature");
}

TEST_F(SignatureTest, OneGoodSignatureAmongBadOnesIsEnough) {
  std::string bad = sign(other_, kDigest, kImage);
  std::string good = sign(trusted_, kDigest, kImage);
  EXPECT_TRUE(check({bad, good}, trusted_policy()));
  expect_rejected(check({bad, "garbage"}, trusted_policy()),
                  "None of the signatures were accepted, reasons: Signature by key");
}

TEST_F(SignatureTest, LeavesNoTemporaryKeyringBehind) {
  testing::TempDir tmp;
  testing::ScopedEnv env;
  env.set("TMPDIR", tmp.path());
  ASSERT_TRUE(verify_signature(sign(trusted_, kDigest, kImage), {trusted_.public_key}, {}));
  auto unreadable = verify_signature("x", {tmp.path() + "/missing.gpg"}, {});
  ASSERT_FALSE(unreadable);
  EXPECT_NE(unreadable.error().message.find("missing.gpg"), std::string::npos);
  auto entries = base::run_process({"ls", "-A", tmp.path()});
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->output, "");
}

TEST_F(SignatureTest, LeavesTheSigpipeDispositionAlone) {
  ASSERT_TRUE(verify_signature(sign(trusted_, kDigest, kImage), {trusted_.public_key}, {}));
  struct sigaction current {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &current), 0);
  EXPECT_EQ(current.sa_handler, SIG_DFL);
}

TEST(SignaturePayloadTest, RoundTripsAndIsStrict) {
  auto parsed = parse_signature_payload(make_signature_payload(kDigest, kImage, 42));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->docker_manifest_digest, kDigest);
  EXPECT_EQ(parsed->docker_reference, kImage);
  const std::string image = R"("image": {"docker-manifest-digest": "sha256:x"})";
  const std::string identity = R"("identity": {"docker-reference": "a/b:c"})";
  const std::string type = R"("type": "atomic container signature")";
  const std::pair<std::string, std::string> cases[] = {
      {"{\"critical\": {" + image + "," + identity + "}}", "field \"type\" is missing"},
      {R"({"critical": {"type": "other",)" + image + "," + identity + "}}", "critical.type"},
      {"{\"critical\": {" + type + "," + identity + "}}", "critical.image: must be"},
      {"{\"critical\": {" + type + "," + image + "," + identity + R"(, "extra": 1}})",
       "unknown field \"extra\""},
      {"{\"critical\": {" + type + "," + image + "," + identity + "," + identity + "}}",
       "duplicated field \"identity\""},
      {"{\"critical\": {" + type + "," + image + "," + identity + R"(}, "optional": 3})",
       "optional: must be"},
  };
  for (const auto& [json, expected] : cases) {
    auto result = parse_signature_payload(json);
    ASSERT_FALSE(result) << json;
    EXPECT_NE(result.error().message.find(expected), std::string::npos) << result.error().message;
  }
  EXPECT_TRUE(parse_signature_payload("{\"critical\": {" + type + "," + image + "," + identity +
                                      R"(}, "optional": {"future": true}})"));
}

}  // namespace
}  // namespace burrow::registry
