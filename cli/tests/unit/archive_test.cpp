#include "release/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <vector>

#include "test_support.h"
#include "util/error.h"

namespace stigmer::release {
namespace {

struct Member {
    std::string name;
    unsigned type = AE_IFREG;
    std::string data;
    std::string link;  // symlink target
    int perm = 0755;
};

Member file(std::string name, std::string data = "x", int perm = 0755) {
    return {std::move(name), AE_IFREG, std::move(data), "", perm};
}
Member directory(std::string name) {
    return {std::move(name), AE_IFDIR, "", "", 0755};
}
Member symlink(std::string name, std::string target) {
    return {std::move(name), AE_IFLNK, "", std::move(target), 0777};
}
Member special(std::string name, unsigned type) {
    return {std::move(name), type, "", "", 0644};
}

// Writes a tar.gz or zip with libarchive's writer.
std::filesystem::path write_archive(const std::filesystem::path& path, ArtifactFormat format,
                                    const std::vector<Member>& members) {
    struct archive* writer = archive_write_new();
    if (format == ArtifactFormat::kTarGz) {
        archive_write_add_filter_gzip(writer);
        archive_write_set_format_pax_restricted(writer);
    } else {
        archive_write_set_format_zip(writer);
    }
    archive_write_open_filename(writer, path.string().c_str());
    for (const auto& member : members) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, member.name.c_str());
        archive_entry_set_filetype(entry, member.type);
        // libarchive's mode type (mode_t, or unsigned short on Windows).
        archive_entry_set_perm(entry,
                               static_cast<decltype(archive_entry_perm(entry))>(member.perm));
        if (member.type == AE_IFLNK) archive_entry_set_symlink(entry, member.link.c_str());
        archive_entry_set_size(entry, static_cast<la_int64_t>(member.data.size()));
        archive_write_header(writer, entry);
        if (!member.data.empty())
            archive_write_data(writer, member.data.data(), member.data.size());
        archive_entry_free(entry);
    }
    archive_write_close(writer);
    archive_write_free(writer);
    return path;
}

std::string extract_error(const std::vector<Member>& members,
                          ArtifactFormat format = ArtifactFormat::kTarGz) {
    stigmer::testing::TempDir dir;
    const auto archive = write_archive(dir.path() / "a", format, members);
    std::filesystem::create_directory(dir.path() / "out");
    try {
        extract_archive(archive, format, dir.path() / "out", "https://r.example/a");
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kVerification);
        EXPECT_EQ(error.where(), "https://r.example/a");
        return error.message();
    }
    return "";
}

TEST(ArchiveTest, ExtractsTarGzWithDirectoriesAndModes) {
    stigmer::testing::TempDir dir;
    const auto archive = write_archive(
        dir.path() / "a.tar.gz", ArtifactFormat::kTarGz,
        {directory("bin"), file("bin/temporal", "#!/bin/sh\n", 04755), file("README", "hi", 0644)});
    const auto out = dir.path() / "out";
    std::filesystem::create_directory(out);
    extract_archive(archive, ArtifactFormat::kTarGz, out, "a");
#ifndef _WIN32  // Windows files have no mode bits
    struct stat info {};
    ASSERT_EQ(stat((out / "bin/temporal").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0755u);  // setuid bit dropped
#endif
    EXPECT_EQ(stigmer::read_text_file(out / "README"), "hi");
}

TEST(ArchiveTest, ExtractsZip) {
    stigmer::testing::TempDir dir;
    const auto archive = write_archive(dir.path() / "a.zip", ArtifactFormat::kZip,
                                       {file("tool", "#!/bin/sh\necho zip\n")});
    const auto out = dir.path() / "out";
    std::filesystem::create_directory(out);
    extract_archive(archive, ArtifactFormat::kZip, out, "a");
    EXPECT_EQ(stigmer::read_text_file(out / "tool"), "#!/bin/sh\necho zip\n");
}

TEST(ArchiveTest, RefusesParentAndAbsolutePaths) {
    EXPECT_NE(extract_error({file("../evil")}).find("leaves the archive"), std::string::npos);
    EXPECT_NE(extract_error({file("a/../../evil")}).find("leaves the archive"), std::string::npos);
    EXPECT_NE(extract_error({file("/etc/evil")}).find("leaves the archive"), std::string::npos);
    EXPECT_NE(extract_error({file("../evil")}, ArtifactFormat::kZip).find("leaves"),
              std::string::npos);
}

TEST(ArchiveTest, RefusesEscapingSymlinksButKeepsInternalOnes) {
    EXPECT_NE(extract_error({symlink("a/link", "../../x")}).find("points outside"),
              std::string::npos);
    EXPECT_NE(extract_error({symlink("link", "/etc/passwd")}).find("points outside"),
              std::string::npos);
    EXPECT_EQ(extract_error({file("a/b"), symlink("a/link", "b"), symlink("top", "a/../a/b")}), "");
}

TEST(ArchiveTest, RefusesDevicesAndFifos) {
    EXPECT_NE(extract_error({special("fifo", AE_IFIFO)}).find("device, fifo or socket"),
              std::string::npos);
    EXPECT_NE(extract_error({special("dev", AE_IFCHR)}).find("device, fifo or socket"),
              std::string::npos);
}

TEST(ArchiveTest, RefusesGarbage) {
    stigmer::testing::TempDir dir;
    std::filesystem::create_directory(dir.path() / "out");
    {
        std::FILE* file = std::fopen((dir.path() / "bad").string().c_str(), "wb");
        std::fputs("this is not gzip", file);
        std::fclose(file);
    }
    EXPECT_THROW(
        extract_archive(dir.path() / "bad", ArtifactFormat::kTarGz, dir.path() / "out", "b"),
        Error);
}

}  // namespace
}  // namespace stigmer::release
