#include <gtest/gtest.h>

#include "supervise/restart_policy.h"

using namespace std::chrono_literals;
using stigmer::supervise::RestartPolicy;
using stigmer::supervise::RestartPolicySettings;

namespace {

RestartPolicySettings settings() {
    RestartPolicySettings s;
    s.initial_delay = 100ms;
    s.max_delay = 1000ms;
    s.jitter = 0.2;
    s.stable_after = 10s;
    s.max_quick_failures = 4;
    return s;
}

}  // namespace

TEST(RestartPolicy, DoublesTheDelayUpToTheCap) {
    RestartPolicy policy(settings(), [] { return 0.5; });  // 0.5: no jitter
    EXPECT_EQ(policy.on_exit(1s), 100ms);
    EXPECT_EQ(policy.on_exit(1s), 200ms);
    EXPECT_EQ(policy.on_exit(1s), 400ms);
    EXPECT_EQ(policy.on_exit(1s), 800ms);
}

TEST(RestartPolicy, CapsTheDelay) {
    auto s = settings();
    s.max_quick_failures = 10;
    RestartPolicy policy(s, [] { return 0.5; });
    for (int i = 0; i < 5; ++i) policy.on_exit(1s);
    EXPECT_EQ(policy.on_exit(1s), 1000ms);
}

TEST(RestartPolicy, GivesUpAfterRepeatedQuickFailures) {
    RestartPolicy policy(settings(), [] { return 0.5; });
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(policy.on_exit(1s).has_value());
    EXPECT_FALSE(policy.on_exit(1s).has_value());
}

TEST(RestartPolicy, AStableRunResetsTheBackoff) {
    RestartPolicy policy(settings(), [] { return 0.5; });
    policy.on_exit(1s);
    policy.on_exit(1s);
    policy.on_exit(1s);
    EXPECT_EQ(policy.on_exit(11s), 100ms);
    EXPECT_EQ(policy.quick_failures(), 1);
}

TEST(RestartPolicy, JitterStaysWithinItsBand) {
    RestartPolicy low(settings(), [] { return 0.0; });
    RestartPolicy high(settings(), [] { return 0.999999; });
    EXPECT_EQ(low.on_exit(1s), 80ms);
    const auto upper = high.on_exit(1s);
    ASSERT_TRUE(upper.has_value());
    EXPECT_GE(upper->count(), 119);
    EXPECT_LE(upper->count(), 120);
}
