#include "engine/container_cp.h"

#include <gtest/gtest.h>

#include "engine/container_commit.h"
#include "engine/container_diff.h"

namespace burrow::engine {
namespace {

TEST(CopyArgs, OneSideIsAContainer) {
  auto out = parse_copy_args("web:/etc/passwd", "/tmp/x");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->source.container, "web");
  EXPECT_EQ(out->source.path, "/etc/passwd");
  EXPECT_FALSE(out->dest.container);
  auto in = parse_copy_args("file", "web:tmp");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->dest.container, "web");
  EXPECT_EQ(in->dest.path, "/tmp") << "container paths are absolute";
  auto root = parse_copy_args("web:", "-");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->source.path, "/");
  EXPECT_EQ(root->dest.path, "-");
}

TEST(CopyArgs, AbsoluteHostPathsWithColonsAreNotContainers) {
  auto out = parse_copy_args("/tmp/a:b", "web:/x");
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->source.container);
  EXPECT_EQ(out->source.path, "/tmp/a:b");
}

TEST(CopyArgs, RefusesNoContainerOrTwo) {
  EXPECT_FALSE(parse_copy_args("a", "b"));
  EXPECT_FALSE(parse_copy_args("a:/x", "b:/y"));
  EXPECT_FALSE(parse_copy_args(":/x", "y"));
}

DestState missing() { return DestState{false, false, true}; }
DestState dir() { return DestState{true, true, true}; }
DestState file() { return DestState{true, false, true}; }

TEST(CopyPlan, FileIntoDirectoryKeepsItsName) {
  auto t = plan_copy("/etc/passwd", false, "/tmp", dir(), "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->dir, "/tmp");
  EXPECT_EQ(t->name, "passwd");
}

TEST(CopyPlan, FileToMissingPathTakesThatName) {
  auto t = plan_copy("/etc/passwd", false, "out/copy", missing(), "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->dir, "out");
  EXPECT_EQ(t->name, "copy");
  auto bare = plan_copy("/etc/passwd", false, "copy", missing(), "");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->dir, ".");
}

TEST(CopyPlan, FileOverExistingFile) {
  auto t = plan_copy("/etc/passwd", false, "/tmp/p", file(), "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->dir, "/tmp");
  EXPECT_EQ(t->name, "p");
}

TEST(CopyPlan, DirectoryRules) {
  auto into = plan_copy("/etc", true, "/tmp", dir(), "");
  ASSERT_TRUE(into);
  EXPECT_EQ(into->name, "etc");
  auto contents = plan_copy("/etc/.", true, "/tmp", dir(), "");
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->dir, "/tmp");
  EXPECT_EQ(contents->name, "") << "/. copies the contents";
  auto renamed = plan_copy("/etc/", true, "/tmp/new", missing(), "");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->name, "new");
  auto onto_file = plan_copy("/etc", true, "/tmp/p", file(), "");
  ASSERT_FALSE(onto_file);
  EXPECT_NE(onto_file.error().message.find("must be a directory"), std::string::npos);
}

TEST(CopyPlan, MissingParentOrTrailingSlashIsNotFound) {
  auto no_parent = plan_copy("/etc/passwd", false, "nodir/x", DestState{}, "on the host");
  ASSERT_FALSE(no_parent);
  EXPECT_EQ(no_parent.error().message,
            "\"nodir/x\" could not be found on the host: no such file or directory");
  EXPECT_FALSE(plan_copy("/etc/passwd", false, "newdir/", missing(), "on the host"));
}

TEST(CopyPlan, DirectoryToMissingPathWithSlashCreatesIt) {
  auto t = plan_copy("/etc", true, "out/newdir/", missing(), "on the host");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->dir, "out");
  EXPECT_EQ(t->name, "newdir");
  EXPECT_FALSE(plan_copy("/etc", true, "nodir/newdir/", DestState{}, "on the host"));
}

TEST(DiffFilter, RuntimeMountPointsOnly) {
  EXPECT_TRUE(is_runtime_mount_point("/etc/hosts"));
  EXPECT_TRUE(is_runtime_mount_point("/proc"));
  EXPECT_FALSE(is_runtime_mount_point("/etc"));
  EXPECT_FALSE(is_runtime_mount_point("/run/app.pid"));
}

TEST(DiffFilter, DirectoriesHoldingOnlyMountPointsAreNoChange) {
  using storage::Change;
  using storage::ChangeKind;
  std::vector<Change> changes = {{ChangeKind::kChanged, "/etc", false, true},
                                 {ChangeKind::kAdded, "/etc/hostname"},
                                 {ChangeKind::kAdded, "/etc/resolv.conf"},
                                 {ChangeKind::kAdded, "/run"},
                                 {ChangeKind::kAdded, "/run/.containerenv"},
                                 {ChangeKind::kChanged, "/tmp", false, true},
                                 {ChangeKind::kAdded, "/tmp/file"}};
  drop_runtime_changes(changes);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].path, "/tmp");
  EXPECT_EQ(changes[1].path, "/tmp/file");
}

TEST(CommitConfig, ContainerSettingsThenChanges) {
  image::ImageConfig base;
  base.config.cmd = {"sh"};
  base.config.env = {"PATH=/bin", "A=1"};
  base.rootfs.diff_ids = {"sha256:" + std::string(64, 'a')};
  CommitSettings settings;
  settings.command = {"sleep", "10"};
  settings.env = {"A=2"};
  settings.labels = {"team=fs"};
  settings.image_name = "localhost/busybox:latest";
  CommitOptions options;
  options.changes = {"CMD [\"cat\",\"/hello\"]", "ENV B=3"};
  auto config = commit_config(base, settings, options, "sha256:" + std::string(64, 'b'),
                              "2024-01-01T00:00:00Z");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->config.cmd, (std::vector<std::string>{"cat", "/hello"}));
  EXPECT_EQ(config->config.env, (std::vector<std::string>{"PATH=/bin", "A=2", "B=3"}));
  EXPECT_EQ(config->config.labels.at("team"), "fs");
  ASSERT_EQ(config->rootfs.diff_ids.size(), 2u);
  ASSERT_EQ(config->history.size(), 1u);
  EXPECT_EQ(config->history[0].comment, "FROM localhost/busybox:latest");
  EXPECT_EQ(config->history[0].created_by, "sleep 10");
}

}  // namespace
}  // namespace burrow::engine
