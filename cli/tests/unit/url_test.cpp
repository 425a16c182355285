#include "release/url.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace stigmer::release {
namespace {

TEST(UrlTest, ResolvesRelativeArtifactUrlsAgainstTheManifest) {
    EXPECT_EQ(resolve_url("https://r.example/1.2.3/manifest.json", "linux-amd64/temporal.tar.gz"),
              "https://r.example/1.2.3/linux-amd64/temporal.tar.gz");
    EXPECT_EQ(resolve_url("https://r.example/1.2.3/manifest.json", "/other/x"),
              "https://r.example/other/x");
    EXPECT_EQ(resolve_url("https://r.example/1.2.3/manifest.json", "https://cdn.example/a"),
              "https://cdn.example/a");
}

TEST(UrlTest, LoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.8.9.10"));
    EXPECT_TRUE(is_loopback_host("[::1]"));
    EXPECT_FALSE(is_loopback_host("128.0.0.1"));
    EXPECT_FALSE(is_loopback_host("localhost.example.com"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

ExitCode code_of(const std::string& url) {
    try {
        check_url_allowed(url);
    } catch (const Error& error) {
        return error.code();
    }
    return ExitCode::kOk;
}

TEST(UrlTest, OnlyHttpsOrLoopbackHttpIsAllowed) {
    EXPECT_EQ(code_of("https://releases.stigmer.ai/1.0.0/manifest.json"), ExitCode::kOk);
    EXPECT_EQ(code_of("http://127.0.0.1:8000/x"), ExitCode::kOk);
    EXPECT_EQ(code_of("http://[::1]:8000/x"), ExitCode::kOk);
    EXPECT_EQ(code_of("http://localhost/x"), ExitCode::kOk);
    EXPECT_EQ(code_of("http://releases.stigmer.ai/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("ftp://127.0.0.1/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("file:///etc/passwd"), ExitCode::kRefused);
    EXPECT_EQ(code_of("not a url"), ExitCode::kUsage);
}

}  // namespace
}  // namespace stigmer::release
