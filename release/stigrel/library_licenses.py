"""The licenses of the C/C++ libraries the CLI may link, by the package that provides them
(Debian/Ubuntu -dev packages, Homebrew formulae, vcpkg ports). A library missing here stops the
release build: add it, with its SPDX license expression, after reading its license."""
from __future__ import annotations

import re

# (package name pattern, library, SPDX license expression)
LIBRARIES: tuple[tuple[str, str, str], ...] = (
    (r"libarchive(-dev)?", "libarchive", "BSD-2-Clause"),
    (r"libsodium(-dev)?", "libsodium", "ISC"),
    (r"libxml2(-dev)?", "libxml2", "MIT"),
    (r"zlib(1g-dev)?", "zlib", "Zlib"),
    (r"(libbz2-dev|bzip2)", "bzip2", "bzip2-1.0.6"),
    (r"(liblzma-dev|liblzma|xz)", "liblzma (xz)", "LicenseRef-Public-Domain OR 0BSD"),
    (r"(libzstd-dev|zstd)", "zstd", "BSD-3-Clause OR GPL-2.0-only"),
    (r"(liblz4-dev|lz4)", "lz4", "BSD-2-Clause"),
    (r"(libb2-dev|libb2)", "libb2 (BLAKE2)", "CC0-1.0"),
    (r"nettle(-dev)?", "nettle", "LGPL-3.0-or-later OR GPL-2.0-or-later"),
    (r"(libacl1-dev|acl)", "libacl", "LGPL-2.1-or-later"),
    (r"(libattr1-dev|attr)", "libattr", "LGPL-2.1-or-later"),
    (r"(libssl-dev|openssl(@3)?)", "OpenSSL", "Apache-2.0"),
    (r"curl", "curl", "curl"),
    (r"libiconv", "libiconv", "LGPL-2.1-or-later"),
    (r"(libicu-dev|icu4c(@\d+)?|icu)", "ICU", "Unicode-3.0"),
    (r"(nlohmann-json3-dev|nlohmann-json)", "nlohmann/json", "MIT"),
    (r"(libcli11-dev|cli11)", "CLI11", "BSD-3-Clause"),
    (r"(libtomlplusplus-dev|tomlplusplus)", "toml++", "MIT"),
    # Compiled from the single-file release pinned in cli/cmake/Ada.cmake (PyPI's ada-url sdist,
    # whose LICENSE is MIT; upstream ada is Apache-2.0 OR MIT).
    (r"ada-url", "ada (URL parser)", "MIT"),
    # zig's C++ runtime, linked into the glibc-floor release build (release/static-deps.sh).
    (r"llvm-libc\+\+", "libc++, libc++abi and libunwind (LLVM, from zig)", "Apache-2.0 WITH LLVM-exception"),
    # Cross toolchains (release/cross-build-arm64.sh) ship them as e.g. libgcc-12-dev-arm64-cross.
    (r"libstdc\+\+-\d+-dev(-\w+-cross)?", "libstdc++ (GCC)", "GPL-3.0-or-later WITH GCC-exception-3.1"),
    (r"libgcc-\d+-dev(-\w+-cross)?", "libgcc (GCC)", "GPL-3.0-or-later WITH GCC-exception-3.1"),
)


class UnknownLibrary(LookupError):
    """A linked library whose license nobody has recorded."""


def library_license(package: str) -> tuple[str, str]:
    """(library name, SPDX expression) of the library a package provides."""
    bare = package.split(":")[0]
    for pattern, library, spdx in LIBRARIES:
        if re.fullmatch(pattern, bare):
            return library, spdx
    raise UnknownLibrary(
        f"no license recorded for {package}: read its license and add it to release/stigrel/library_licenses.py")
