#include "cli/format.h"

#include <gtest/gtest.h>

namespace burrow::cli {
namespace {

TEST(Template, FieldsAndNesting) {
  auto tmpl = Template::parse("{{.Name}}: {{ .State.Status }}");
  ASSERT_TRUE(tmpl);
  nlohmann::json value = {{"Name", "web"}, {"State", {{"Status", "running"}}}};
  EXPECT_EQ(*tmpl->render(value), "web: running");
}

TEST(Template, JsonAction) {
  auto tmpl = Template::parse("{{json .Labels}}");
  nlohmann::json value = {{"Labels", {{"a", "b"}}}};
  EXPECT_EQ(*tmpl->render(value), R"({"a":"b"})");
  EXPECT_EQ(*Template::parse("{{json .}}")->render(nlohmann::json{{"x", 1}}), R"({"x":1})");
}

TEST(Template, GoStyleSlicesAndMissingValues) {
  nlohmann::json value = {{"Names", {"a", "b"}}, {"Nothing", nullptr}};
  EXPECT_EQ(*Template::parse("{{.Names}}")->render(value), "[a b]");
  EXPECT_EQ(*Template::parse("{{.Nothing}}")->render(value), "<no value>");
}

TEST(Template, UnknownFieldIsAnError) {
  auto rendered = Template::parse("{{.Nope}}")->render(nlohmann::json::object());
  ASSERT_FALSE(rendered);
  EXPECT_NE(rendered.error().message.find("Nope"), std::string::npos);
}

TEST(Template, RejectsUnsupportedActions) {
  EXPECT_FALSE(Template::parse("{{range .Names}}"));
  EXPECT_FALSE(Template::parse("{{.Name"));
}

TEST(Template, TableWithHeadersAndEscapes) {
  auto tmpl = Template::parse("table {{.Repository}}\\t{{.ID}}", {{"ID", "IMAGE ID"}});
  ASSERT_TRUE(tmpl);
  auto out = render_rows(*tmpl, {{{"Repository", "localhost/busybox"}, {"ID", "abc"}}});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            "REPOSITORY         IMAGE ID\n"
            "localhost/busybox  abc\n");
}

TEST(Template, PlainRowsEndWithNewlines) {
  auto out = render_rows(*Template::parse("{{.A}}"), {{{"A", "1"}}, {{"A", "2"}}});
  EXPECT_EQ(*out, "1\n2\n");
}

}  // namespace
}  // namespace burrow::cli
