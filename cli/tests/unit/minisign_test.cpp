#include "release/minisign.h"

#include <gtest/gtest.h>

#include "release/trusted_keys.h"
#include "test_support.h"
#include "util/error.h"

namespace stigmer::release {
namespace {

using stigmer::testing::read_data;

std::vector<PublicKey> dev_key() {
    return {parse_public_key(read_data("../../../../release/keys/dev.pub"))};
}

ExitCode failure_code(const std::string& message, const std::string& signature,
                      const std::vector<PublicKey>& keys, std::string* text = nullptr) {
    try {
        verify_signature(message, signature, keys, "test.minisig");
    } catch (const Error& error) {
        if (text) *text = error.message();
        return error.code();
    }
    return ExitCode::kOk;
}

TEST(MinisignTest, ParsesPublicKeyIdAsMinisignPrintsIt) {
    EXPECT_EQ(dev_key().front().key_id_hex(), "B539AEA179131CD3");
}

TEST(MinisignTest, EmbeddedKeysIncludeTheDevelopmentKey) {
    const auto keys = trusted_public_keys();
    ASSERT_FALSE(keys.empty());
    EXPECT_EQ(keys.front().key_id_hex(), "B539AEA179131CD3");
}

TEST(MinisignTest, VerifiesPrehashedSignatureAndReturnsTrustedComment) {
    EXPECT_EQ(verify_signature(read_data("message.txt"), read_data("message.txt.minisig"),
                               dev_key(), "message.txt.minisig"),
              "stigmer test prehashed");
}

TEST(MinisignTest, RefusesLegacySignatureWithOneClearLine) {
    // Our releases are always signed pre-hashed ("ED"); a valid legacy "Ed" one is refused too.
    std::string text;
    EXPECT_EQ(failure_code(read_data("message.txt"), read_data("message.txt.legacy.minisig"),
                           dev_key(), &text),
              ExitCode::kVerification);
    EXPECT_NE(text.find("legacy"), std::string::npos) << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

TEST(MinisignTest, RefusesAlteredMessage) {
    std::string text;
    EXPECT_EQ(failure_code(read_data("message.txt") + "x", read_data("message.txt.minisig"),
                           dev_key(), &text),
              ExitCode::kVerification);
    EXPECT_NE(text.find("does not match"), std::string::npos);
    EXPECT_NE(text.find("test.minisig"), std::string::npos);
}

TEST(MinisignTest, RefusesAlteredTrustedComment) {
    auto signature = read_data("message.txt.minisig");
    const auto pos = signature.find("stigmer test prehashed");
    signature.replace(pos, 7, "STIGMER");
    std::string text;
    EXPECT_EQ(failure_code(read_data("message.txt"), signature, dev_key(), &text),
              ExitCode::kVerification);
    EXPECT_NE(text.find("trusted comment"), std::string::npos);
}

TEST(MinisignTest, RefusesUntrustedKey) {
    std::string text;
    EXPECT_EQ(failure_code(read_data("message.txt"), read_data("message.txt.other.minisig"),
                           dev_key(), &text),
              ExitCode::kVerification);
    EXPECT_NE(text.find("untrusted key"), std::string::npos);
}

TEST(MinisignTest, AcceptsOtherKeyWhenTrusted) {
    const std::vector<PublicKey> keys = {dev_key().front(),
                                         parse_public_key(read_data("other.pub"))};
    EXPECT_EQ(failure_code(read_data("message.txt"), read_data("message.txt.other.minisig"), keys),
              ExitCode::kOk);
}

TEST(MinisignTest, RefusesMalformedSignatures) {
    EXPECT_EQ(failure_code("m", "", dev_key()), ExitCode::kVerification);
    EXPECT_EQ(failure_code("m", "untrusted comment: x\nnot base64!\ntrusted comment: y\nAAAA\n",
                           dev_key()),
              ExitCode::kVerification);
}

TEST(MinisignTest, RefusesInvalidPublicKey) {
    EXPECT_THROW(parse_public_key("untrusted comment: x\nAAAA\n"), Error);
}

}  // namespace
}  // namespace stigmer::release
