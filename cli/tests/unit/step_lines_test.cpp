#include <gtest/gtest.h>

#include "commands/step_lines.h"

using stigmer::commands::describe_step;
using stigmer::commands::waiting_after;

namespace {
nlohmann::json step(const char* text) {
    return nlohmann::json::parse(text);
}
}  // namespace

TEST(StepLines, ModelCallsSayTokensAndWhatComesNext) {
    EXPECT_EQ(describe_step(step(R"({"kind":"model_call","n":1,"tokens":15,"total_tokens":15,
                                     "tool_calls":["write_file","ls"]})")),
              "model call 1: 15 tokens (15 so far), calls write_file ls");
    EXPECT_EQ(describe_step(step(R"({"kind":"model_call","n":2,"tokens":15,"total_tokens":30,
                                     "tool_calls":[]})")),
              "model call 2: 15 tokens (30 so far), answers");
    EXPECT_EQ(describe_step(step(R"({"kind":"model_call_started","n":3})")), "");
    EXPECT_EQ(waiting_after(step(R"({"kind":"model_call_started","n":3})")), "model call 3");
}

TEST(StepLines, ToolCallsShowArgumentsAndResults) {
    EXPECT_EQ(describe_step(step(R"({"kind":"tool_call","tool":"write_file",
                                     "args":"file_path=/a.txt, content=hi"})")),
              "  write_file(file_path=/a.txt, content=hi)");
    EXPECT_EQ(describe_step(step(R"({"kind":"tool_result","tool":"write_file","ok":true,
                                     "output":"Updated file /a.txt"})")),
              "    -> Updated file /a.txt");
    EXPECT_EQ(describe_step(step(R"({"kind":"tool_result","tool":"read_file","ok":false,
                                     "output":"no such file"})")),
              "    failed: no such file");
    EXPECT_EQ(waiting_after(step(R"({"kind":"tool_call","tool":"grep"})")), "running grep");
}

TEST(StepLines, ApprovalsSayWhoDecidedWhat) {
    EXPECT_EQ(describe_step(step(R"({"kind":"approval_wanted","tool":"edit_file","args":"x=1"})")),
              "  edit_file(x=1) waits for approval");
    EXPECT_EQ(describe_step(step(R"({"kind":"approval","tool":"edit_file","approved":false,
                                     "reason":"not now"})")),
              "  edit_file denied: not now");
    EXPECT_EQ(describe_step(step(R"({"kind":"approval","tool":"edit_file","approved":true,
                                     "reason":""})")),
              "  edit_file approved");
}

TEST(StepLines, UnknownKindsAndMissingFieldsAreHarmless) {
    EXPECT_EQ(describe_step(step(R"({"kind":"something_new"})")), "");
    EXPECT_EQ(describe_step(step(R"({})")), "");
    EXPECT_EQ(describe_step(step(R"({"kind":"tool_call"})")), "  ()");
    EXPECT_EQ(waiting_after(step(R"({})")), "thinking");
}
