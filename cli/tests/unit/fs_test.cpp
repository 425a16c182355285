#include "platform/fs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::platform {
namespace {

std::size_t entries_in(const std::filesystem::path& directory) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) {
        ++count;
    }
    return count;
}

TEST(AtomicWriteTest, ConcurrentWritersOfOneFileAllSucceedAndLeaveNoTemporary) {
    // The daemon and commands rewrite the same small files (state, records) from several
    // threads and processes: every writer needs its own temporary name.
    stigmer::testing::TempDir dir;
    const auto file = dir.path() / "state.json";
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                try {
                    write_file_atomically(file, std::to_string(t) + "\n");
                } catch (const Error&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(entries_in(dir.path()), 1u);
    EXPECT_EQ(read_text_file(file).size(), 2u);
}

TEST(TemporaryFileTest, IsRemovedUnlessCommitted) {
    stigmer::testing::TempDir dir;
    std::filesystem::path abandoned;
    {
        TemporaryFile temporary(dir.path(), ".tmp-x-");
        abandoned = temporary.path();
        EXPECT_EQ(abandoned.parent_path(), dir.path());
        EXPECT_TRUE(abandoned.filename().string().starts_with(".tmp-x-"));
        temporary.write("partial");
        EXPECT_TRUE(std::filesystem::exists(abandoned));
    }
    EXPECT_FALSE(std::filesystem::exists(abandoned));

    TemporaryFile temporary(dir.path(), ".tmp-x-");
    temporary.write("complete");
    temporary.commit(dir.path() / "target");
    EXPECT_EQ(read_text_file(dir.path() / "target"), "complete");
    EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(TemporaryDirectoryTest, NamesAreUniqueAndKeepTheirPrefix) {
    stigmer::testing::TempDir dir;
    const auto first = create_temporary_directory(dir.path(), ".tmp~1.0~");
    const auto second = create_temporary_directory(dir.path(), ".tmp~1.0~");
    EXPECT_NE(first, second);
    EXPECT_TRUE(std::filesystem::is_directory(first));
    EXPECT_TRUE(first.filename().string().starts_with(".tmp~1.0~"));
    EXPECT_EQ(first.parent_path(), dir.path());
}

}  // namespace
}  // namespace stigmer::platform
