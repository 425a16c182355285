#include "release/url.h"

#include <gtest/gtest.h>

#include <utility>

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

// RFC 3986, section 5.4: its normal examples and the abnormal ones a manifest could hold, as
// the URL Standard serialises them (an http URL's empty path is "/").
TEST(UrlTest, ResolvesTheRfcExamples) {
    const std::string base = "http://a/b/c/d;p?q";
    const std::pair<const char*, const char*> examples[] = {
        {"g:h", "g:h"},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
    };
    for (const auto& [reference, expected] : examples) {
        EXPECT_EQ(resolve_url(base, reference), expected) << reference;
    }
}

TEST(UrlTest, ABaseThatIsNotAnAbsoluteUrlIsAUsageError) {
    for (const char* base : {"releases/manifest.json", "not a url", ""}) {
        try {
            resolve_url(base, "x");
            ADD_FAILURE() << base;
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::kUsage) << base;
        }
    }
}

TEST(UrlTest, AuthorityHasTheSchemesDefaultPort) {
    const auto https = authority_of("HTTPS://Temporal.Example/api/v1");
    ASSERT_TRUE(https);
    EXPECT_EQ(https->scheme, "https");
    EXPECT_EQ(https->host, "temporal.example");
    EXPECT_EQ(https->port, "443");
    const auto http = authority_of("http://127.0.0.1/x");
    ASSERT_TRUE(http);
    EXPECT_EQ(http->port, "80");
    const auto v6 = authority_of("https://[::1]:7243/api");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "[::1]");
    EXPECT_EQ(v6->port, "7243");
    const auto userinfo = authority_of("http://127.0.0.1@evil.example/x");
    ASSERT_TRUE(userinfo);
    EXPECT_EQ(userinfo->host, "evil.example");
    EXPECT_FALSE(authority_of("mailto:someone@example.com"));
    EXPECT_FALSE(authority_of("not a url"));
}

TEST(UrlTest, WithHostKeepsEverythingButTheHost) {
    EXPECT_EQ(with_host("https://127.0.0.1:7243/api/v1/namespaces?x=1", "temporal.example"),
              "https://temporal.example:7243/api/v1/namespaces?x=1");
    EXPECT_EQ(with_host("https://[::1]/a", "frontend.cluster"), "https://frontend.cluster/a");
    EXPECT_FALSE(with_host("https://127.0.0.1/a", ""));
    EXPECT_FALSE(with_host("no url", "frontend.cluster"));
}

TEST(UrlTest, TheAllowedUrlIsTheOneThatWasChecked) {
    // libcurl is handed this serialisation, so it connects to the host that was checked.
    EXPECT_EQ(allowed_url("HTTP://LOCALHOST:8000/a/../b"), "http://localhost:8000/b");
    EXPECT_EQ(allowed_url("http://0x7f.1/x"), "http://127.0.0.1/x");
    EXPECT_EQ(allowed_url("https://r.example:443/1.2.3/manifest.json"),
              "https://r.example/1.2.3/manifest.json");
    EXPECT_EQ(allowed_url("http:\\\\127.0.0.1\\x"), "http://127.0.0.1/x");
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
        allowed_url(url);
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
    EXPECT_EQ(code_of("HTTP://LOCALHOST:8000/x"), ExitCode::kOk);
    EXPECT_EQ(code_of("http://releases.stigmer.ai/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("http://127.0.0.1@releases.stigmer.ai/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("http://127.0.0.1.nip.io/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("ftp://127.0.0.1/x"), ExitCode::kRefused);
    EXPECT_EQ(code_of("file:///etc/passwd"), ExitCode::kRefused);
    EXPECT_EQ(code_of("not a url"), ExitCode::kUsage);
}

}  // namespace
}  // namespace stigmer::release
