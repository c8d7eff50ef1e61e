// pull, login and logout (push and search in cmd_push.cpp).
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/pull_progress.h"
#include "cli/registry_flags.h"
#include "engine/image_pull.h"
#include "registry/auth_file.h"
#include "registry/registries_conf.h"

namespace burrow::cli {
namespace {

struct PlatformFlags {
  std::string platform;  // os/arch[/variant]
  std::string arch;
  std::string os;
  std::string variant;
};

Result<image::Platform> wanted_platform(const PlatformFlags& flags) {
  image::Platform platform = image::host_platform();
  if (!flags.platform.empty()) {
    auto parts = base::split(flags.platform, '/');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
      return base::failf(EINVAL, "invalid platform \"{}\": use OS/ARCH[/VARIANT], e.g. linux/arm64",
                         flags.platform);
    platform.os = parts[0];
    platform.architecture = parts[1];
    platform.variant = parts.size() == 3 ? parts[2] : "";
  }
  if (!flags.os.empty()) platform.os = flags.os;
  if (!flags.arch.empty()) platform.architecture = flags.arch;
  if (!flags.variant.empty()) platform.variant = flags.variant;
  return platform;
}

struct PullFlags {
  std::vector<std::string> images;
  RegistryFlags registry;
  PlatformFlags platform;
  std::string signature_policy;
  bool quiet = false;
};

Result<int> pull(Context& ctx, const PullFlags& flags) {
  engine::PullSettings settings;
  BURROW_TRY(settings.registry, flags.registry.options());
  BURROW_TRY(settings.platform, wanted_platform(flags.platform));
  if (!flags.signature_policy.empty()) settings.signature_policy = flags.signature_policy;
  PullProgress progress(flags.quiet, ::isatty(STDERR_FILENO) == 1);
  settings.report = progress.reporter();
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  return for_each_reference(flags.images, [&](const std::string& name) -> Status {
    BURROW_TRY(std::string id, engine::pull_image(*engine, name, settings));
    std::cout << id << std::endl;
    return base::ok();
  });
}

// Reads a line from the terminal, without echo for secrets.
std::string prompt(const char* question, bool secret) {
  std::cerr << question << std::flush;
  termios saved{};
  bool restore = secret && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string answer;
  std::getline(std::cin, answer);
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return answer;
}

struct LoginFlags {
  std::string registry;
  RegistryFlags options;
  std::string username;
  std::string password;
  bool password_stdin = false;
  bool get_login = false;
};

Result<registry::Credentials> login_to_use(const LoginFlags& flags) {
  registry::Credentials login{flags.username, flags.password, ""};
  bool terminal = ::isatty(STDIN_FILENO) == 1;
  if (flags.password_stdin) {
    if (!flags.password.empty())
      return base::fail(EINVAL, "--password and --password-stdin are mutually exclusive");
    if (flags.username.empty()) return base::fail(EINVAL, "--password-stdin needs --username (-u)");
    std::getline(std::cin, login.password);
  }
  if (login.username.empty()) {
    if (!terminal) return base::fail(EINVAL, "no username given: use --username (-u)");
    login.username = prompt("Username: ", false);
  }
  if (login.password.empty() && !flags.password_stdin) {
    if (!terminal)
      return base::fail(EINVAL, "no password given: use --password-stdin or --password (-p)");
    login.password = prompt("Password: ", true);
  }
  if (login.username.empty()) return base::fail(EINVAL, "the username must not be empty");
  return login;
}

Result<int> login(const LoginFlags& flags) {
  std::string key = registry::normalize_auth_key(flags.registry);
  if (key.empty()) return base::fail(EINVAL, "login needs a registry: burrow login HOST[:PORT]");
  BURROW_TRY(auto options, flags.options.options());
  std::string auth_path = registry::auth_file_path(options.authfile);
  if (flags.get_login) {
    BURROW_TRY(auto stored, registry::find_credentials(auth_path, key, !options.authfile));
    if (!stored) return base::failf(ENOENT, "not logged into {}", key);
    std::cout << stored->username << "\n";
    return 0;
  }
  BURROW_TRY(registry::Credentials login, login_to_use(flags));
  BURROW_TRY(auto conf, registry::load_registries_conf());
  options.credentials = login;
  std::string host = key.substr(0, key.find('/'));
  BURROW_TRY(image::Reference ref, image::parse_reference(host + "/x"));
  ref.path.clear();
  auto client = engine::connect_to_repository(
      options, ref, registry::is_insecure_registry(conf, host), registry::Access::kPull);
  if (!client) {
    auto error = client.error();
    if (error.code == EACCES) error.message = "invalid username/password";
    return tl::unexpected(error.with_context(fmt::format("logging into \"{}\"", key)));
  }
  BURROW_CHECK(registry::store_credentials(auth_path, key, login));
  std::cout << "Login Succeeded!\n";
  return 0;
}

struct LogoutFlags {
  std::string registry;
  std::string authfile;
  bool all = false;
};

Result<int> logout(const LogoutFlags& flags) {
  std::optional<std::string> authfile;
  if (!flags.authfile.empty()) authfile = flags.authfile;
  std::string auth_path = registry::auth_file_path(authfile);
  if (flags.all) {
    BURROW_CHECK(registry::remove_all_credentials(auth_path));
    std::cout << "Removed login credentials for all registries\n";
    return 0;
  }
  std::string key = registry::normalize_auth_key(flags.registry);
  if (key.empty()) return base::fail(EINVAL, "logout needs a registry, or --all");
  BURROW_TRY(bool removed, registry::remove_credentials(auth_path, key));
  if (!removed) return base::failf(ENOENT, "not logged into {}", key);
  std::cout << "Removed login credentials for " << key << "\n";
  return 0;
}

void add_pull(CLI::App& parent, Context& ctx) {
  if (!ctx.wanted(parent, "pull")) return;
  auto flags = std::make_shared<PullFlags>();
  auto* cmd = parent.add_subcommand("pull", "Pull images from a registry");
  add_registry_flags(*cmd, flags->registry, true);
  cmd->add_option("--platform", flags->platform.platform, "Pull for OS/ARCH[/VARIANT]");
  cmd->add_option("--arch", flags->platform.arch, "Pull for this architecture");
  cmd->add_option("--os", flags->platform.os, "Pull for this operating system");
  cmd->add_option("--variant", flags->platform.variant, "Pull for this architecture variant");
  cmd->add_option("--signature-policy", flags->signature_policy, "Path of the trust policy file");
  cmd->add_flag("-q,--quiet", flags->quiet, "Show no progress");
  cmd->add_option("IMAGE", flags->images, "Images to pull")->required();
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return pull(ctx, *flags); }); });
}

void add_login(CLI::App& parent, Context& ctx) {
  if (!ctx.wanted(parent, "login")) return;
  auto flags = std::make_shared<LoginFlags>();
  auto* cmd = parent.add_subcommand("login", "Log in to a registry");
  add_registry_flags(*cmd, flags->options, false);
  cmd->add_option("-u,--username", flags->username, "User name");
  cmd->add_option("-p,--password", flags->password,
                  "Password (visible to other users: prefer --password-stdin)");
  cmd->add_flag("--password-stdin", flags->password_stdin, "Read the password from stdin");
  cmd->add_flag("--get-login", flags->get_login, "Print the user name stored for the registry");
  cmd->add_option("REGISTRY", flags->registry, "The registry, HOST[:PORT]");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return login(*flags); }); });
}

void add_logout(CLI::App& parent, Context& ctx) {
  if (!ctx.wanted(parent, "logout")) return;
  auto flags = std::make_shared<LogoutFlags>();
  auto* cmd = parent.add_subcommand("logout", "Remove the stored login for a registry");
  cmd->add_option("--authfile", flags->authfile, "Path of the authentication file (auth.json)");
  cmd->add_flag("-a,--all", flags->all, "Remove the logins for every registry");
  cmd->add_option("REGISTRY", flags->registry, "The registry, HOST[:PORT]");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return logout(*flags); }); });
}

}  // namespace

void add_registry_commands(CLI::App& app, Context& ctx) {
  add_pull(app, ctx);
  add_login(app, ctx);
  add_logout(app, ctx);
  if (CLI::App* image = built_group(app, "image")) add_pull(*image, ctx);
}

}  // namespace burrow::cli
