#include "release/download.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <system_error>

#include "platform/fs.h"
#include "release/progress.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"

namespace stigmer::release {

namespace {

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

// Appends the body to the partial file and the hasher; restarts both when the server ignores the
// Range request, and refuses bytes beyond the expected size.
class PartialFileSink : public BodySink {
  public:
    PartialFileSink(const std::filesystem::path& path, std::uint64_t offset, Sha256& hasher,
                    std::uint64_t expected_size, ProgressBar& progress)
        : path_(path),
          offset_(offset),
          resumed_from_(offset),
          hasher_(hasher),
          expected_size_(expected_size),
          progress_(progress) {
        open(offset > 0 ? "ab" : "wb");
    }

    void begin(long status) override {
        if (status != 206 && offset_ > 0) {
            // The server sent the whole file: start over.
            open("wb");
            hasher_.reset();
            offset_ = 0;
            resumed_from_ = 0;
        }
        attempt_start_ = offset_;
    }

    bool write(const char* data, std::size_t length) override {
        if (offset_ + length > expected_size_) {
            too_large_ = true;
            return false;
        }
        if (std::fwrite(data, 1, length, file_.get()) != length) {
            write_failed_ = true;
            return false;
        }
        hasher_.update(data, length);
        offset_ += length;
        return true;
    }

    void progress(std::uint64_t, std::uint64_t) override {
        progress_.update(offset_, resumed_from_);
    }

    // Flushes and closes; false if the data could not be written.
    bool close() {
        if (!file_) return true;
        const bool ok = std::fflush(file_.get()) == 0;
        file_.reset();
        return ok && !write_failed_;
    }

    std::uint64_t offset() const { return offset_; }
    bool too_large() const { return too_large_; }
    bool write_failed() const { return write_failed_; }

  private:
    void open(const char* mode) {
        file_.reset();
        file_.reset(std::fopen(path_.string().c_str(), mode));
        if (!file_) {
            throw Error(ExitCode::kLocalFiles, "cannot write download", path_.string(),
                        "check free space and permissions on STIGMER_HOME/downloads");
        }
        std::setvbuf(file_.get(), nullptr, _IOFBF, 1 << 20);
    }

    std::filesystem::path path_;
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::uint64_t offset_;
    std::uint64_t resumed_from_;
    std::uint64_t attempt_start_ = 0;
    Sha256& hasher_;
    std::uint64_t expected_size_;
    ProgressBar& progress_;
    bool too_large_ = false;
    bool write_failed_ = false;
};

std::uint64_t existing_size(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

void remove_quietly(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

}  // namespace

std::filesystem::path download_verified(HttpClient& client, const DownloadRequest& request,
                                        const std::filesystem::path& downloads_dir,
                                        bool show_progress) {
    create_directories_or_throw(downloads_dir);
    const auto partial = downloads_dir / (request.sha256 + ".part");
    const auto complete = downloads_dir / request.sha256;

    // A file left complete by an earlier run that stopped before installing it.
    if (existing_size(complete) == request.size && sha256_hex_of_file(complete) == request.sha256) {
        return complete;
    }
    remove_quietly(complete);

    ProgressBar progress(request.label, request.size, show_progress);
    Sha256 hasher;
    for (int attempt = 1;; ++attempt) {
        std::uint64_t offset = existing_size(partial);
        if (offset > request.size) {
            remove_quietly(partial);
            offset = 0;
        }
        hasher.reset();
        if (offset > 0) hasher.update_from_file(partial, offset);

        AttemptOutcome outcome{AttemptResult::kComplete, 206, ""};
        PartialFileSink sink(partial, offset, hasher, request.size, progress);
        if (offset < request.size) outcome = client.get_once(request.url, offset, sink);
        const bool written = sink.close();

        if (sink.too_large()) {
            remove_quietly(partial);
            throw Error(ExitCode::kVerification,
                        "server sent more than the " + std::to_string(request.size) +
                            " bytes the manifest declares",
                        request.url,
                        "the artifact does not match its signed manifest; do not use it");
        }
        if (!written) {
            throw Error(ExitCode::kLocalFiles, "cannot write download", partial.string(),
                        "check free space on STIGMER_HOME");
        }
        if (outcome.result == AttemptResult::kComplete) {
            if (sink.offset() != request.size) {
                remove_quietly(partial);
                throw Error(ExitCode::kVerification,
                            "wrong size: received " + std::to_string(sink.offset()) +
                                " bytes, the manifest declares " + std::to_string(request.size),
                            request.url,
                            "the artifact does not match its signed manifest; do not use it");
            }
            const auto digest = hasher.finish_hex();
            if (digest != request.sha256) {
                remove_quietly(partial);
                throw Error(
                    ExitCode::kVerification,
                    "sha256 mismatch: got " + digest + ", the manifest declares " + request.sha256,
                    request.url, "the artifact was altered or corrupted; do not use it");
            }
            progress.finish();
            platform::rename_or_throw(partial, complete);
            return complete;
        }
        if (outcome.status == 416) {
            remove_quietly(partial);  // our partial file is not a prefix the server knows
        }
        const bool retry = outcome.result == AttemptResult::kRetryable || outcome.status == 416;
        if (retry && attempt < client.options().max_attempts) {
            client.wait_before_retry(attempt, outcome, request.url);
            continue;
        }
        throw error_for_outcome(outcome, request.url);
    }
}

}  // namespace stigmer::release
