#include "text/capability.h"

#include <gtest/gtest.h>

namespace hydraguard::text {
namespace {

Capability Of(std::string_view prompt, int tools = 0) { return ClassifyRequest(prompt, "", tools).capability; }

TEST(CapabilityTest, ClassifiesCommonRequests) {
  EXPECT_EQ(Of("Write a Python function that merges two sorted lists."), Capability::kCode);
  EXPECT_EQ(Of("Why does this code throw a NullPointerException?\n```\nx.foo()\n```"), Capability::kCode);
  EXPECT_EQ(Of("Goal: fix the failing test. Use the tools to inspect the repository.", 5), Capability::kAgentic);
  EXPECT_EQ(Of("Tool result (exit code 0): 12 files changed. Continue."), Capability::kAgentic);
  EXPECT_EQ(Of("How many ways can 7 people sit around a round table?"), Capability::kReasoning);
  EXPECT_EQ(Of("Here is a CSV table of monthly sales. Find the trend and any outliers."), Capability::kDataAnalysis);
  EXPECT_EQ(Of("Write a haiku about the sea at night."), Capability::kCreative);
  EXPECT_EQ(Of("Take a screenshot, open the browser and click on the invoices tab."), Capability::kComputerUse);
  EXPECT_EQ(Of("Grade the answer below using this rubric and score each criterion."), Capability::kRubric);
  EXPECT_EQ(Of("What should I cook tonight? Something quick, thanks!"), Capability::kChat);
  EXPECT_EQ(Of(""), Capability::kChat);
}

TEST(CapabilityTest, ToolDefinitionsLeanAgentic) {
  EXPECT_EQ(Of("Find the cheapest flight to Berlin next week.", 0), Capability::kChat);
  EXPECT_EQ(Of("Find the cheapest flight to Berlin next week.", 8), Capability::kAgentic);
}

TEST(CapabilityTest, DetectsReasoningElicitationInPromptOrSystem) {
  EXPECT_TRUE(ClassifyRequest("Solve it. Think step by step.", "", 0).elicits_reasoning);
  EXPECT_TRUE(ClassifyRequest("Solve it.", "Always SHOW YOUR REASONING in full.", 0).elicits_reasoning);
  EXPECT_TRUE(ClassifyRequest("Before answering, write out every intermediate step.", "", 0).elicits_reasoning);
  EXPECT_FALSE(ClassifyRequest("Solve it and give only the answer.", "", 0).elicits_reasoning);
}

TEST(CapabilityTest, Names) {
  EXPECT_EQ(CapabilityName(Capability::kRubric), "rubric_grading");
  EXPECT_EQ(CapabilityName(Capability::kDataAnalysis), "data_analysis");
}

}  // namespace
}  // namespace hydraguard::text
