# ada, the WHATWG URL parser of Node.js, compiled into the CLI from the two files its authors
# publish as its single-file release. Neither Debian 12 nor RHEL 8 packages it (and libcurl's own
# URL API is newer than RHEL 8's libcurl, docs/adr/0012), so every build takes the same pinned
# copy: the ada-url source distribution on PyPI, checked against its sha256. STIGMER_ADA_DIR
# names an unpacked copy instead, for builds without network access.
set(STIGMER_ADA_VERSION 4.0.0)
set(_ada_sha256 9f399ec867349800a4c2d3aa8df8c533c340494b04d34b1f082b97d9a8b76a07)
set(_ada_url "https://files.pythonhosted.org/packages/98/4e/f62ef579f693298f62a4657a0429823444025f342161d53f5c1f7bd629c6/ada_url-${STIGMER_ADA_VERSION}.tar.gz")
set(STIGMER_ADA_DIR "" CACHE PATH "folder holding ada.h, ada.cpp and LICENSE (default: downloaded)")

if(STIGMER_ADA_DIR)
  set(_ada_dir "${STIGMER_ADA_DIR}")
else()
  set(_ada_dir "${CMAKE_BINARY_DIR}/_deps/ada-${STIGMER_ADA_VERSION}")
  if(NOT EXISTS "${_ada_dir}/ada.cpp")
    set(_archive "${CMAKE_BINARY_DIR}/_deps/ada_url-${STIGMER_ADA_VERSION}.tar.gz")
    message(STATUS "stigmer: downloading ada ${STIGMER_ADA_VERSION} (sha256 ${_ada_sha256})")
    file(DOWNLOAD "${_ada_url}" "${_archive}" EXPECTED_HASH SHA256=${_ada_sha256} STATUS _status TLS_VERIFY ON)
    list(GET _status 0 _code)
    if(NOT _code EQUAL 0)
      file(REMOVE "${_archive}")
      list(GET _status 1 _reason)
      message(FATAL_ERROR "cannot download ada ${STIGMER_ADA_VERSION} from ${_ada_url}: ${_reason}; "
                          "or set STIGMER_ADA_DIR to a folder holding its ada.h, ada.cpp and LICENSE")
    endif()
    set(_unpacked "${CMAKE_BINARY_DIR}/_deps/ada-unpacked")
    file(REMOVE_RECURSE "${_unpacked}")
    file(ARCHIVE_EXTRACT INPUT "${_archive}" DESTINATION "${_unpacked}")
    set(_from "${_unpacked}/ada_url-${STIGMER_ADA_VERSION}")
    file(MAKE_DIRECTORY "${_ada_dir}.part")
    file(COPY "${_from}/ada_url/ada.h" "${_from}/ada_url/ada.cpp" "${_from}/LICENSE" DESTINATION "${_ada_dir}.part")
    file(RENAME "${_ada_dir}.part" "${_ada_dir}")
    file(REMOVE_RECURSE "${_unpacked}" "${_archive}")
  endif()
endif()
foreach(_file ada.h ada.cpp LICENSE)
  if(NOT EXISTS "${_ada_dir}/${_file}")
    message(FATAL_ERROR "${_ada_dir} has no ${_file} (STIGMER_ADA_DIR must hold ada.h, ada.cpp and LICENSE)")
  endif()
endforeach()
# Read by release/stigrel/cli_libraries.py for the release's SBOM and notices.
set(STIGMER_ADA_SOURCE_DIR "${_ada_dir}" CACHE INTERNAL "the ada sources compiled into the CLI")
set(STIGMER_ADA_SOURCE_VERSION "${STIGMER_ADA_VERSION}" CACHE INTERNAL "their version")

add_library(stigmer_ada STATIC "${_ada_dir}/ada.cpp")
add_library(stigmer::ada ALIAS stigmer_ada)
target_include_directories(stigmer_ada SYSTEM PUBLIC "${_ada_dir}")
# Its code, not ours: the warning set above is for the CLI's own sources.
if(MSVC)
  target_compile_options(stigmer_ada PRIVATE /w)
else()
  target_compile_options(stigmer_ada PRIVATE -w)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # ada hands always_inline functions to algorithms as pointers, which GCC 12 refuses at -O1
  # (the ThreadSanitizer build's level); -O2 inlines them, as in every other build.
  target_compile_options(stigmer_ada PRIVATE -O2)
endif()
