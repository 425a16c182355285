# Finds the CLI's libraries and defines stigmer::deps, the one target stigmer_core links.
#
# STIGMER_PORTABLE (release builds on Linux and macOS): the executable carries every library
# inside it except libcurl and the C runtime, so `curl ... | sh` on any distribution with a
# glibc at least as new as the build machine's yields a stigmer that starts. libcurl stays
# shared on purpose: its static form drags in Kerberos, LDAP and SSH, which Debian ships only
# as shared libraries, and libcurl.so.4 is on every machine that has curl. Static archives are
# found through pkg-config's --static view, so their own dependencies come along. On Windows
# the vcpkg static triplet (release/cli-deps.sh) plays this role.
option(STIGMER_PORTABLE "link every library but libcurl and the C runtime statically" OFF)

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)

# toml++ is compiled into the CLI (src/config/toml_implementation.cpp) rather than linked
# from a shared library few machines have; only its headers are needed.
find_path(STIGMER_TOMLPLUSPLUS_INCLUDE_DIR toml++/toml.h REQUIRED
          DOC "directory holding toml++/toml.h")

add_library(stigmer_deps INTERFACE)
add_library(stigmer::deps ALIAS stigmer_deps)
target_include_directories(stigmer_deps SYSTEM INTERFACE "${STIGMER_TOMLPLUSPLUS_INCLUDE_DIR}")
target_compile_definitions(stigmer_deps INTERFACE TOML_HEADER_ONLY=0 TOML_EXCEPTIONS=1)
target_link_libraries(stigmer_deps INTERFACE
  CURL::libcurl nlohmann_json::nlohmann_json CLI11::CLI11 Threads::Threads)

# Libraries the platform itself guarantees: linked by name even in a portable build.
set(_stigmer_platform_libraries c m dl rt pthread iconv)
if(APPLE)
  # macOS's SDK provides these (as .tbd stubs, never as static archives).
  list(APPEND _stigmer_platform_libraries z bz2 expat xml2)
endif()

# Adds pkg-config module MODULE's static archives to _stigmer_static_archives (platform
# libraries to _stigmer_static_platform), and fails the configure step naming a missing one.
macro(_stigmer_find_static MODULE)
  pkg_check_modules(_static_${MODULE} REQUIRED ${MODULE})
  set(_prefix _static_${MODULE}_STATIC)
  target_include_directories(stigmer_deps SYSTEM INTERFACE ${${_prefix}_INCLUDE_DIRS})
  foreach(_name IN LISTS ${_prefix}_LIBRARIES)
    if(_name IN_LIST _stigmer_platform_libraries)
      list(APPEND _stigmer_static_platform "${_name}")
      continue()
    endif()
    find_library(STIGMER_STATIC_${_name} NAMES "lib${_name}.a"
                 HINTS ${${_prefix}_LIBRARY_DIRS} NO_CACHE)
    if(NOT STIGMER_STATIC_${_name})
      message(FATAL_ERROR
        "STIGMER_PORTABLE needs lib${_name}.a (a dependency of ${MODULE}) and it was not found; "
        "install its -dev package or configure with -DSTIGMER_PORTABLE=OFF")
    endif()
    list(APPEND _stigmer_static_archives "${STIGMER_STATIC_${_name}}")
  endforeach()
  message(STATUS "stigmer: ${MODULE} linked statically")
endmacro()

if(STIGMER_PORTABLE AND NOT WIN32)
  set(_stigmer_static_archives "")
  set(_stigmer_static_platform "")
  _stigmer_find_static(libarchive)
  # libarchive.pc names libxml2 but not libxml2's own dependencies (ICU). The CLI never pulls
  # libxml2 in (it writes no xar archives); the unit tests, which write archives, do.
  if("xml2" IN_LIST _static_libarchive_STATIC_LIBRARIES AND NOT "xml2" IN_LIST _stigmer_platform_libraries)
    _stigmer_find_static(libxml-2.0)
  endif()
  _stigmer_find_static(libsodium)
  list(REMOVE_DUPLICATES _stigmer_static_archives)
  if(NOT APPLE AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.24)
    # GNU ld takes archives in order, and these refer to each other both ways (libxml2 needs
    # zlib, which libarchive lists before it): one group, rescanned until nothing is missing.
    string(REPLACE ";" "," _group "${_stigmer_static_archives}")
    target_link_libraries(stigmer_deps INTERFACE "$<LINK_GROUP:RESCAN,${_group}>")
  else()
    target_link_libraries(stigmer_deps INTERFACE ${_stigmer_static_archives})
  endif()
  list(REMOVE_DUPLICATES _stigmer_static_platform)
  target_link_libraries(stigmer_deps INTERFACE ${_stigmer_static_platform})
  set(_stigmer_linked_archives ${_stigmer_static_archives})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_link_options(stigmer_deps INTERFACE -static-libstdc++ -static-libgcc)
    foreach(_runtime libstdc++.a libgcc.a)
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${_runtime}
                      OUTPUT_VARIABLE _runtime_path OUTPUT_STRIP_TRAILING_WHITESPACE)
      list(APPEND _stigmer_linked_archives "${_runtime_path}")
    endforeach()
  endif()
  # The archives offered to the linker, one per line, for the release's third-party notices and
  # SBOM (release/list-cli-libraries.py): the linker takes from each only the objects it needs.
  list(JOIN _stigmer_linked_archives "\n" _linked_text)
  file(WRITE "${CMAKE_BINARY_DIR}/linked-static-libraries.txt" "${_linked_text}\n")
  # The static libraries' symbols stay private: nothing of them can take the place of what
  # the system's shared libcurl and its OpenSSL bring. zig's linker (the glibc-floor build of
  # release/static-deps.sh) lacks the flag; that build compiles them with hidden visibility.
  include(CheckLinkerFlag)
  check_linker_flag(CXX "LINKER:--exclude-libs,ALL" STIGMER_LINKER_EXCLUDES_LIBS)
  if(NOT APPLE AND STIGMER_LINKER_EXCLUDES_LIBS)
    target_link_options(stigmer_deps INTERFACE LINKER:--exclude-libs,ALL)
  endif()
else()
  find_package(LibArchive REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
  target_link_libraries(stigmer_deps INTERFACE
    LibArchive::LibArchive PkgConfig::SODIUM)
endif()
