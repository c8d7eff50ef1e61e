// Simple-signing signatures through gpgme (the one file that uses it). The
// JSON payload is in signature_payload.cpp. Runs in the CLI process.
#include "registry/signature.h"

#include <gpgme.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <type_traits>

#include "base/file_util.h"
#include "base/scope_exit.h"

namespace burrow::registry {
namespace {

struct ContextRelease {
  void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct DataRelease {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
struct KeyRelease {
  void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
using Context = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, ContextRelease>;
using Data = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataRelease>;
using Key = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyRelease>;

constexpr size_t kMaxKeyringSize = 16 << 20;
constexpr size_t kMaxPayloadSize = 4 << 20;
// Written into the private GNUPGHOME: importing public keys would otherwise
// start a gpg-agent there that outlives the directory, and gpg must never
// fetch a key from the network to "verify" a signature.
constexpr std::string_view kPrivateGpgConf = "no-autostart\nno-auto-key-retrieve\n";

// gpgme writes to gpg through pipes, and a gpg that dies early would kill
// burrow with SIGPIPE. gpgme_check_version ignores SIGPIPE process-wide for
// that; burrow ignores it only while gpg runs, so that the programs it starts
// later do not inherit an ignored SIGPIPE.
class SigpipeIgnored {
 public:
  SigpipeIgnored() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &saved_);
  }
  ~SigpipeIgnored() { ::sigaction(SIGPIPE, &saved_, nullptr); }
  SigpipeIgnored(const SigpipeIgnored&) = delete;
  SigpipeIgnored& operator=(const SigpipeIgnored&) = delete;

 private:
  struct sigaction saved_ {};
};

// gpgme must be initialised once per process before any other call.
Status init_gpgme() {
  static const Status status = []() -> Status {
    SigpipeIgnored restored_afterwards;
    if (!gpgme_check_version(nullptr)) return base::fail(ENOSYS, "gpgme could not be initialised");
    if (gpgme_error_t err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP); err != 0) {
      return base::failf(ENOENT, "gpg cannot be run ({}); install the gpg package",
                         gpgme_strerror(err));
    }
    return base::ok();
  }();
  return status;
}

// `home` empty: the user's own ($GNUPGHOME or ~/.gnupg).
Result<Context> new_context(const std::string& home) {
  BURROW_CHECK(init_gpgme());
  gpgme_ctx_t raw = nullptr;
  if (gpgme_error_t err = gpgme_new(&raw); err != 0)
    return base::failf(EIO, "creating a gpgme context: {}", gpgme_strerror(err));
  Context ctx(raw);
  gpgme_set_protocol(ctx.get(), GPGME_PROTOCOL_OpenPGP);
  if (!home.empty()) {
    gpgme_error_t err =
        gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home.c_str());
    if (err != 0) return base::failf(EIO, "configuring gpg: {}", gpgme_strerror(err));
  }
  return ctx;
}

Result<Data> new_data(std::string_view bytes = {}) {
  gpgme_data_t raw = nullptr;
  gpgme_error_t err = bytes.empty() ? gpgme_data_new(&raw)
                                    : gpgme_data_new_from_mem(&raw, bytes.data(), bytes.size(), 1);
  if (err != 0) return base::failf(ENOMEM, "gpgme data: {}", gpgme_strerror(err));
  return Data(raw);
}

Result<std::string> read_data(gpgme_data_t data, size_t limit) {
  if (gpgme_data_seek(data, 0, SEEK_SET) != 0) return base::fail_errno("rewinding gpgme data");
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = gpgme_data_read(data, buffer, sizeof buffer);
    if (n < 0) return base::fail_errno("reading gpgme data");
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > limit)
      return base::failf(EFBIG, "signed content is larger than {} bytes", limit);
  }
}

Status import_keys(gpgme_ctx_t ctx, std::string_view keyring, std::string_view origin) {
  BURROW_TRY(Data data, new_data(keyring));
  gpgme_error_t err = gpgme_op_import(ctx, data.get());
  gpgme_import_result_t result = err == 0 ? gpgme_op_import_result(ctx) : nullptr;
  if (!result || result->imported + result->unchanged == 0) {
    return base::failf(EINVAL, "no usable public key in {}{}", origin,
                       err == 0 ? "" : fmt::format(" ({})", gpgme_strerror(err)));
  }
  return base::ok();
}

Status import_policy_keys(gpgme_ctx_t ctx, const std::vector<std::string>& key_files,
                          const std::vector<std::string>& key_data) {
  for (const std::string& file : key_files) {
    auto keyring = base::read_file_limited(file, kMaxKeyringSize);
    if (!keyring) return tl::unexpected(keyring.error().with_context("reading a policy key"));
    BURROW_CHECK(import_keys(ctx, *keyring, file));
  }
  for (const std::string& data : key_data) {
    BURROW_CHECK(import_keys(ctx, data, "the policy's keyData"));
  }
  return base::ok();
}

// gpgme reports a key outside the private keyring as NO_PUBKEY: the
// signature was made by someone the policy does not trust.
Status check_signature_status(gpgme_signature_t sig) {
  std::string key = sig->fpr ? sig->fpr : "(unknown)";
  switch (gpgme_err_code(sig->status)) {
    case GPG_ERR_NO_ERROR:
      break;
    case GPG_ERR_NO_PUBKEY:
      return base::failf(EPERM, "Signature by key {} is not accepted (not a key the policy trusts)",
                         key);
    case GPG_ERR_KEY_EXPIRED:
      return base::failf(EPERM, "Signature by key {} is not accepted: the key has expired", key);
    case GPG_ERR_CERT_REVOKED:
      return base::failf(EPERM, "Signature by key {} is not accepted: the key is revoked", key);
    case GPG_ERR_SIG_EXPIRED:
      return base::failf(EPERM, "Signature by key {} has expired", key);
    default:
      return base::failf(EPERM, "Invalid GPG signature by key {}: {}", key,
                         gpgme_strerror(sig->status));
  }
  if (sig->wrong_key_usage || sig->validity == GPGME_VALIDITY_NEVER ||
      (sig->summary & GPGME_SIGSUM_RED) != 0) {
    return base::failf(EPERM, "Invalid GPG signature by key {}: the key may not sign", key);
  }
  return base::ok();
}

Result<std::string> verified_content(gpgme_ctx_t ctx, std::string_view signature,
                                     std::string& fingerprint) {
  BURROW_TRY(Data signed_data, new_data(signature));
  BURROW_TRY(Data content, new_data());
  if (gpgme_error_t err = gpgme_op_verify(ctx, signed_data.get(), nullptr, content.get()); err != 0)
    return base::failf(EPERM, "Invalid GPG signature: {}", gpgme_strerror(err));
  gpgme_verify_result_t result = gpgme_op_verify_result(ctx);
  int count = 0;
  for (gpgme_signature_t sig = result ? result->signatures : nullptr; sig; sig = sig->next) ++count;
  if (count != 1)
    return base::failf(EPERM, "Invalid GPG signature: expected 1 signature, found {}", count);
  BURROW_CHECK(check_signature_status(result->signatures));
  fingerprint = result->signatures->fpr ? result->signatures->fpr : "";
  return read_data(content.get(), kMaxPayloadSize);
}

std::string temp_parent() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir && *tmpdir == '/' ? tmpdir : "/tmp";
}

}  // namespace

Result<SignedPayload> verify_signature(std::string_view signature,
                                       const std::vector<std::string>& key_files,
                                       const std::vector<std::string>& key_data) {
  if (key_files.empty() && key_data.empty())
    return base::fail(EINVAL, "no public keys to verify the signature with");
  SigpipeIgnored while_gpg_runs;
  BURROW_TRY(std::string home, base::make_temp_dir(temp_parent(), "burrow-gpg-"));
  base::ScopeExit remove_home([&] { (void)base::remove_tree(home); });
  BURROW_CHECK(base::write_file_atomic(base::path_join(home, "gpg.conf"), kPrivateGpgConf, 0600,
                                       /*durable=*/false));
  BURROW_TRY(Context ctx, new_context(home));
  BURROW_CHECK(import_policy_keys(ctx.get(), key_files, key_data));
  std::string fingerprint;
  BURROW_TRY(std::string content, verified_content(ctx.get(), signature, fingerprint));
  BURROW_TRY(SignedPayload payload, parse_signature_payload(content));
  payload.signer_fingerprint = std::move(fingerprint);
  return payload;
}

Result<std::string> create_signature(std::string_view manifest_digest,
                                     std::string_view docker_reference, std::string_view key_id) {
  SigpipeIgnored while_gpg_runs;
  BURROW_TRY(Context ctx, new_context(""));
  gpgme_key_t raw_key = nullptr;
  std::string wanted(key_id);
  if (gpgme_error_t err = gpgme_get_key(ctx.get(), wanted.c_str(), &raw_key, 1); err != 0) {
    return base::failf(ENOENT,
                       "no secret key \"{}\" in the gpg keyring ({}); see gpg --list-secret-keys",
                       wanted, gpgme_strerror(err));
  }
  Key key(raw_key);
  gpgme_set_armor(ctx.get(), 0);
  if (gpgme_error_t err = gpgme_signers_add(ctx.get(), key.get()); err != 0)
    return base::failf(EINVAL, "signing with key \"{}\": {}", wanted, gpgme_strerror(err));
  std::string payload = make_signature_payload(manifest_digest, docker_reference,
                                               static_cast<int64_t>(::time(nullptr)));
  BURROW_TRY(Data input, new_data(payload));
  BURROW_TRY(Data output, new_data());
  gpgme_error_t err = gpgme_op_sign(ctx.get(), input.get(), output.get(), GPGME_SIG_MODE_NORMAL);
  gpgme_sign_result_t result = err == 0 ? gpgme_op_sign_result(ctx.get()) : nullptr;
  if (!result || result->invalid_signers || !result->signatures) {
    return base::failf(EPERM, "signing with key \"{}\": {}", wanted,
                       err != 0 ? gpgme_strerror(err) : "the key cannot sign");
  }
  return read_data(output.get(), kMaxPayloadSize);
}

}  // namespace burrow::registry
