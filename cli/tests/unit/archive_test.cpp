#include "release/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
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
    std::string hardlink;  // hard link target (an earlier member)
};

Member file(std::string name, std::string data = "x", int perm = 0755) {
    return {std::move(name), AE_IFREG, std::move(data), "", perm, ""};
}
Member directory(std::string name) {
    return {std::move(name), AE_IFDIR, "", "", 0755, ""};
}
Member symlink(std::string name, std::string target) {
    return {std::move(name), AE_IFLNK, "", std::move(target), 0777, ""};
}
Member special(std::string name, unsigned type) {
    return {std::move(name), type, "", "", 0644, ""};
}
Member hardlink(std::string name, std::string target) {
    return {std::move(name), AE_IFREG, "", "", 0644, std::move(target)};
}

// Writes a tar.gz or zip with libarchive's writer. Throws if libarchive refuses anything, so a
// test never extracts an archive that is not what it describes.
std::filesystem::path write_archive(const std::filesystem::path& path, ArtifactFormat format,
                                    const std::vector<Member>& members) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> owner(archive_write_new(),
                                                                    archive_write_free);
    struct archive* writer = owner.get();
    const auto check = [&](int rc, const std::string& what) {
        if (rc != ARCHIVE_OK) {
            const char* text = archive_error_string(writer);
            throw std::runtime_error("test archive " + path.string() + ": " + what + ": " +
                                     (text ? text : "unknown error"));
        }
    };
    if (format == ArtifactFormat::kTarGz) {
        check(archive_write_add_filter_gzip(writer), "gzip filter");
        check(archive_write_set_format_pax_restricted(writer), "tar format");
    } else {
        check(archive_write_set_format_zip(writer), "zip format");
    }
    check(archive_write_open_filename(writer, path.string().c_str()), "open");
    for (const auto& member : members) {
        std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                       archive_entry_free);
        archive_entry_set_pathname(entry.get(), member.name.c_str());
        archive_entry_set_filetype(entry.get(), member.type);
        // libarchive's mode type (mode_t, or unsigned short on Windows).
        archive_entry_set_perm(entry.get(),
                               static_cast<decltype(archive_entry_perm(entry.get()))>(member.perm));
        if (member.type == AE_IFLNK) archive_entry_set_symlink(entry.get(), member.link.c_str());
        if (!member.hardlink.empty())
            archive_entry_set_hardlink(entry.get(), member.hardlink.c_str());
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(member.data.size()));
        check(archive_write_header(writer, entry.get()), "header of '" + member.name + "'");
        if (!member.data.empty()) {
            const auto written = archive_write_data(writer, member.data.data(), member.data.size());
            if (written != static_cast<la_ssize_t>(member.data.size()))
                check(ARCHIVE_FATAL, "data of '" + member.name + "'");
        }
    }
    check(archive_write_close(writer), "close");
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

// A destination whose path goes through a symlink (as macOS's /tmp and /var do, and many homes):
// <dir>/link -> <dir>/real, destination <dir>/link/out. Empty if symlinks cannot be made here.
std::filesystem::path destination_behind_symlink(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "real" / "out");
    std::error_code ec;
    std::filesystem::create_directory_symlink(dir / "real", dir / "link", ec);
    if (ec) return {};  // e.g. Windows without the symlink privilege
    return dir / "link" / "out";
}

TEST(ArchiveTest, ExtractsIntoADestinationReachedThroughASymlink) {
    stigmer::testing::TempDir dir;
    const auto out = destination_behind_symlink(dir.path());
    if (out.empty()) GTEST_SKIP() << "cannot create symlinks here";
    const auto tar = write_archive(
        dir.path() / "a.tar.gz", ArtifactFormat::kTarGz,
        {directory("bin"), file("bin/temporal", "#!/bin/sh\n"), symlink("temporal", "bin/temporal"),
         hardlink("bin/temporal-copy", "bin/temporal")});
    extract_archive(tar, ArtifactFormat::kTarGz, out, "a");
    EXPECT_EQ(stigmer::read_text_file(out / "bin/temporal"), "#!/bin/sh\n");
    EXPECT_EQ(stigmer::read_text_file(out / "temporal"), "#!/bin/sh\n");
    EXPECT_EQ(stigmer::read_text_file(out / "bin/temporal-copy"), "#!/bin/sh\n");
    EXPECT_TRUE(std::filesystem::is_symlink(out / "temporal"));

    const auto zip =
        write_archive(dir.path() / "a.zip", ArtifactFormat::kZip, {file("tool", "zip\n")});
    extract_archive(zip, ArtifactFormat::kZip, out, "a");
    EXPECT_EQ(stigmer::read_text_file(out / "tool"), "zip\n");
}

TEST(ArchiveTest, RefusesEscapesFromADestinationReachedThroughASymlink) {
    if (stigmer::testing::TempDir probe; destination_behind_symlink(probe.path()).empty())
        GTEST_SKIP() << "cannot create symlinks here";
    const auto refusal = [](const std::vector<Member>& members) -> std::string {
        stigmer::testing::TempDir dir;
        const auto out = destination_behind_symlink(dir.path());
        const auto archive = write_archive(dir.path() / "a", ArtifactFormat::kTarGz, members);
        try {
            extract_archive(archive, ArtifactFormat::kTarGz, out, "a");
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::kVerification);
            // Nothing landed beside the destination.
            EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "real"),
                                    std::filesystem::directory_iterator()),
                      1);
            return error.message();
        }
        return "";
    };
    EXPECT_NE(refusal({file("../evil")}).find("leaves the archive"), std::string::npos);
    EXPECT_NE(refusal({symlink("link", "../../x")}).find("points outside"), std::string::npos);
    EXPECT_NE(refusal({file("x"), hardlink("hard", "../x")}).find("points outside"),
              std::string::npos);
    // Each link stays inside on paper, but a/up is the destination itself, so a/up/esc would be
    // its parent: entries may not go through a symlink the archive made.
    const auto chained = refusal(
        {directory("a"), symlink("a/up", ".."), symlink("a/up/esc", ".."), file("a/up/esc/evil")});
    EXPECT_NE(chained.find("unsafe archive"), std::string::npos) << chained;
    EXPECT_NE(chained.find("through symlink 'a/up'"), std::string::npos) << chained;
    // A hard link to a/up would be a second symlink "..", now one level higher: the parent.
    for (const auto& target : {"a/up", "a/up/x"}) {
        const auto message =
            refusal({directory("a"), symlink("a/up", ".."), hardlink("h", target)});
        EXPECT_NE(message.find("points to or through a symlink"), std::string::npos)
            << target << ": " << message;
    }
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
