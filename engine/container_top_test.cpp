#include "engine/container_top.h"

#include <gtest/gtest.h>

#include "engine/container_procs.h"

namespace burrow::engine {
namespace {

TEST(IdInside, MapsThroughTheNamespaceMap) {
  const std::string map = "         0       1000          1\n         1     100000      65536\n";
  EXPECT_EQ(id_inside(1000, map), 0);
  EXPECT_EQ(id_inside(100000, map), 1);
  EXPECT_EQ(id_inside(100999, map), 1000);
  EXPECT_EQ(id_inside(5, map), 65534);  // unmapped: the overflow id
  EXPECT_EQ(id_inside(42, ""), 42);     // no map: the identity
}

TEST(TopDescriptors, SplitsCommasAndMapsAixCodes) {
  auto parsed = parse_top_descriptors({"pid,user", "%a", "%C"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (std::vector<std::string>{"pid", "user", "args", "pcpu"}));
  EXPECT_EQ(*parse_top_descriptors({}), kDefaultTopDescriptors);
  EXPECT_FALSE(parse_top_descriptors({"-ef"}));         // ps(1) options
  EXPECT_FALSE(parse_top_descriptors({"pid,nosuch"}));  // one unknown is enough
  EXPECT_EQ(top_header("pcpu"), "%CPU");
  EXPECT_EQ(top_header("etime"), "ELAPSED");
  EXPECT_EQ(top_header("args"), "COMMAND");
}

TEST(TopCell, NamesComeFromTheContainersFilesAndMaps) {
  TopContext context;
  context.passwd = "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/:/bin/false\n";
  context.group = "root:x:0:\nweb:x:33:\n";
  context.uid_map = "0 1000 1\n1 100000 65536\n";
  context.gid_map = context.uid_map;
  ProcessInfo process;
  process.uid = process.ruid = 100032;  // 33 inside
  process.gid = process.rgid = 1000;    // 0 inside
  process.pid = 7;
  process.state = 'T';
  process.args = {"sleep", "100"};
  process.seccomp_mode = 2;
  EXPECT_EQ(top_cell("user", process, context), "web");
  EXPECT_EQ(top_cell("group", process, context), "root");
  EXPECT_EQ(top_cell("pid", process, context), "7");
  EXPECT_EQ(top_cell("state", process, context), "T");
  EXPECT_EQ(top_cell("args", process, context), "sleep 100");
  EXPECT_EQ(top_cell("seccomp", process, context), "filter");
  process.uid = 100999;  // 1000 inside, with no passwd entry: the number
  EXPECT_EQ(top_cell("user", process, context), "1000");
}

TEST(ProcStat, CommMayHoldSpacesAndParentheses) {
  auto fields = parse_proc_stat(
      "42 (a b) c) S 1 42 42 0 -1 4194560 97 0 0 0 3 1 0 0 20 0 1 0 8123 2461696 180 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->comm, "a b) c");
  ASSERT_GE(fields->rest.size(), 2u);
  EXPECT_EQ(fields->rest[0], "S");
  EXPECT_EQ(fields->rest[1], "1");
  EXPECT_FALSE(parse_proc_stat("42 no parentheses"));
  EXPECT_FALSE(parse_proc_stat("42 (cut short) S 1 42"));
}

TEST(ProcStatus, ValuesAndInnermostPid) {
  const std::string status = "Name:\tsleep\nNSpid:\t4242\t7\nNSpgid:\t4242\t1\nSeccomp:\t2\n";
  EXPECT_EQ(status_value(status, "Seccomp"), "2");
  EXPECT_EQ(status_value(status, "Missing"), "");
  EXPECT_EQ(innermost_pid(status, "NSpid"), 7);
  EXPECT_EQ(innermost_pid(status, "NSpgid"), 1);
}

}  // namespace
}  // namespace burrow::engine
