#include "cli/context.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

namespace burrow::cli {
namespace {

std::vector<std::string> words_of(std::vector<const char*> args) {
  args.insert(args.begin(), "burrow");
  return command_words(static_cast<int>(args.size()), args.data());
}

TEST(CommandWords, SkipsGlobalOptionsAndTheirValues) {
  using W = std::vector<std::string>;
  EXPECT_EQ(words_of({"ps", "-a"}), W{"ps"});
  EXPECT_EQ(words_of({"--root", "/r", "--runroot", "/rr", "container", "ls"}),
            (W{"container", "ls"}));
  EXPECT_EQ(words_of({"--root=/r", "--log-level", "debug", "system", "reset", "-f"}),
            (W{"system", "reset"}));
  // A command's own options end the search: "x" is --name's value.
  EXPECT_EQ(words_of({"run", "--name", "x", "img"}), W{"run"});
  EXPECT_EQ(words_of({"--help"}), W{});
  EXPECT_EQ(words_of({}), W{});
}

TEST(ContextWanted, BuildsOnlyTheNamedCommands) {
  CLI::App app;
  auto* container = app.add_subcommand("container");
  Context ctx;
  ctx.words = {"container", "ls"};
  EXPECT_TRUE(ctx.wanted(app, "container"));
  EXPECT_FALSE(ctx.wanted(app, "ps"));
  EXPECT_TRUE(ctx.wanted(*container, "ls"));
  EXPECT_FALSE(ctx.wanted(*container, "rm"));
  ctx.words = {"container"};  // `burrow container --help` lists all of them
  EXPECT_TRUE(ctx.wanted(*container, "rm"));
  ctx.words = {};
  EXPECT_TRUE(ctx.wanted(app, "ps"));
}

}  // namespace
}  // namespace burrow::cli
