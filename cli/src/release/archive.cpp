#include "release/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <iterator>
#include <memory>
#include <set>

#include "util/error.h"

namespace stigmer::release {

namespace {

struct ReaderDeleter {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriterDeleter {
    void operator()(struct archive* a) const { archive_write_free(a); }
};

Error unsafe(const std::string& what, const std::string& source) {
    return Error(ExitCode::kVerification, "unsafe archive: " + what, source,
                 "the artifact is refused; report it to whoever publishes the release");
}

Error broken(struct archive* a, const std::string& source) {
    const char* text = archive_error_string(a);
    return Error(ExitCode::kVerification,
                 std::string("cannot unpack archive (") + (text ? text : "unknown error") + ")",
                 source, "the artifact is damaged; retry, or report it");
}

// A path that stays inside the destination: relative, no "..", not empty after normalising.
bool is_contained(const std::filesystem::path& path) {
    if (path.empty() || path.is_absolute() || path.has_root_name() || path.has_root_directory()) {
        return false;
    }
    for (const auto& part : path) {
        if (part == "..") return false;
    }
    return true;
}

// Where a symlink at `link` pointing to `target` resolves to, relative to the destination.
bool link_stays_inside(const std::filesystem::path& link, const std::string& target) {
    const std::filesystem::path target_path(target);
    if (target_path.is_absolute() || target.empty()) return false;
    const auto resolved = (link.parent_path() / target_path).lexically_normal();
    if (resolved.empty() || resolved == ".") return true;
    return resolved.begin() == resolved.end() || *resolved.begin() != "..";
}

// The symlink among `links` (made earlier by this archive) that `path` goes through, if any.
const std::filesystem::path* through_symlink(const std::filesystem::path& path,
                                             const std::set<std::filesystem::path>& links) {
    std::filesystem::path prefix;
    for (auto part = path.begin(); part != path.end() && std::next(part) != path.end(); ++part) {
        prefix /= *part;
        if (const auto found = links.find(prefix); found != links.end()) return &*found;
    }
    return nullptr;
}

}  // namespace

void extract_archive(const std::filesystem::path& archive_path, ArtifactFormat format,
                     const std::filesystem::path& destination, const std::string& source) {
    std::unique_ptr<struct archive, ReaderDeleter> reader(archive_read_new());
    std::unique_ptr<struct archive, WriterDeleter> writer(archive_write_disk_new());
    if (!reader || !writer) throw std::bad_alloc();
    if (format == ArtifactFormat::kTarGz) {
        archive_read_support_filter_gzip(reader.get());
        archive_read_support_format_tar(reader.get());
    } else if (format == ArtifactFormat::kZip) {
        archive_read_support_format_zip(reader.get());
    } else {
        throw std::logic_error("extract_archive called for a binary artifact");
    }
    // libarchive's SECURE_SYMLINKS refuses a symlink anywhere on the absolute path it is given,
    // also above the destination (macOS's /tmp and /var, a home reached through a link): resolve
    // that part once, so the check judges only what the archive itself creates.
    std::error_code ec;
    const auto root = std::filesystem::canonical(destination, ec);
    if (ec) {
        throw Error(ExitCode::kLocalFiles,
                    "cannot resolve the directory to unpack into (" + ec.message() + ")",
                    destination.string(), "check that STIGMER_HOME exists and is writable");
    }
    // Defence in depth: libarchive refuses these too, after our own checks with clearer errors.
    // (Not SECURE_NOABSOLUTEPATHS: we write to absolute paths under `root` ourselves.)
    archive_write_disk_set_options(writer.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open_filename(reader.get(), archive_path.string().c_str(), 1 << 16) !=
        ARCHIVE_OK) {
        throw broken(reader.get(), source);
    }

    std::set<std::filesystem::path> links;  // symlinks made so far, relative to `root`
    archive_entry* entry = nullptr;
    while (true) {
        const int rc = archive_read_next_header(reader.get(), &entry);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) throw broken(reader.get(), source);

        const char* raw_name = archive_entry_pathname(entry);
        const std::string name = raw_name ? raw_name : "";
        const std::filesystem::path relative(name);
        if (!is_contained(relative))
            throw unsafe("entry '" + name + "' leaves the archive", source);
        const auto normal = relative.lexically_normal();
        if (normal == "." || normal.empty()) continue;  // the "./" entry of some tarballs
        // A link made by the archive may lead anywhere once followed (a/up -> .. then
        // a/up/esc -> .. is the destination's parent), so nothing is written through one.
        if (const auto* link = through_symlink(normal, links)) {
            throw unsafe(
                "entry '" + name + "' goes through symlink '" + link->generic_string() + "'",
                source);
        }

        const auto type = archive_entry_filetype(entry);
        const char* hardlink = archive_entry_hardlink(entry);
        if (hardlink != nullptr) {
            const std::filesystem::path link_target(hardlink);
            if (!is_contained(link_target)) {
                throw unsafe("hard link '" + name + "' points outside the archive", source);
            }
            // On Linux a hard link to a symlink is a second symlink, whose relative target
            // means something else at its new place.
            const auto target_normal = link_target.lexically_normal();
            if (links.count(target_normal) != 0 || through_symlink(target_normal, links)) {
                throw unsafe("hard link '" + name + "' points to or through a symlink", source);
            }
            archive_entry_set_hardlink(entry, (root / link_target).string().c_str());
        } else if (type == AE_IFLNK) {
            const char* target = archive_entry_symlink(entry);
            if (target == nullptr || !link_stays_inside(normal, target)) {
                throw unsafe("symlink '" + name + "' points outside the archive", source);
            }
        } else if (type != AE_IFREG && type != AE_IFDIR) {
            throw unsafe("entry '" + name + "' is a device, fifo or socket", source);
        }
        archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
        archive_entry_set_pathname(entry, (root / normal).string().c_str());
        if (type == AE_IFLNK && hardlink == nullptr) {
            links.insert(normal);
        } else {
            links.erase(normal);  // libarchive replaces a symlink rather than following it
        }

        if (archive_write_header(writer.get(), entry) != ARCHIVE_OK) {
            throw broken(writer.get(), source);
        }
        const void* block = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        while (true) {
            const int data_rc = archive_read_data_block(reader.get(), &block, &size, &offset);
            if (data_rc == ARCHIVE_EOF) break;
            if (data_rc != ARCHIVE_OK) throw broken(reader.get(), source);
            if (archive_write_data_block(writer.get(), block, size, offset) != ARCHIVE_OK) {
                throw broken(writer.get(), source);
            }
        }
        if (archive_write_finish_entry(writer.get()) != ARCHIVE_OK) {
            throw broken(writer.get(), source);
        }
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK) throw broken(writer.get(), source);
}

}  // namespace stigmer::release
