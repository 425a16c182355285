// Windows implementation of file_identity: the NTFS file index. Not compiled on POSIX builds.
#include <windows.h>

#include "platform/file_identity.h"

namespace stigmer::platform {

std::uintmax_t file_identity(const std::filesystem::path& path) {
    // No access rights needed to read the index; sharing everything so a writer is not
    // disturbed; backup semantics so directories open too.
    HANDLE file =
        CreateFileW(path.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (file == INVALID_HANDLE_VALUE) return 0;
    BY_HANDLE_FILE_INFORMATION info{};
    const bool ok = GetFileInformationByHandle(file, &info) != FALSE;
    CloseHandle(file);
    if (!ok) return 0;
    return (static_cast<std::uintmax_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
}

}  // namespace stigmer::platform
