# Generates trusted_keys.h from minisign public key files, so the keys are embedded at build time.
#   dev builds (default):      the development key, plus every release key whose file exists
#   STIGMER_RELEASE_BUILD=ON:  the release keys only; configuring fails if one is missing
# STIGMER_RELEASE_PUBKEY is a list so that a key rotation can ship CLIs trusting the current
# key and the next one (docs/releasing.md, "Keys"); by default it is every committed
# release/keys/release*.pub.
set(STIGMER_DEV_PUBKEY "${CMAKE_CURRENT_SOURCE_DIR}/../release/keys/dev.pub"
    CACHE FILEPATH "minisign public key trusted by development builds")
file(GLOB _committed_release_keys "${CMAKE_CURRENT_SOURCE_DIR}/../release/keys/release*.pub")
set(STIGMER_RELEASE_PUBKEY "${_committed_release_keys}"
    CACHE STRING "minisign public key files of public releases (a ;-list during a key rotation)")

set(_key_files "")
if(STIGMER_RELEASE_BUILD)
  if(STIGMER_RELEASE_PUBKEY STREQUAL "")
    message(FATAL_ERROR
      "STIGMER_RELEASE_BUILD=ON needs the release public key, and release/keys has no release*.pub; "
      "commit it or pass -DSTIGMER_RELEASE_PUBKEY=<path to release.pub>")
  endif()
  foreach(_file IN LISTS STIGMER_RELEASE_PUBKEY)
    if(NOT EXISTS "${_file}")
      message(FATAL_ERROR
        "STIGMER_RELEASE_BUILD=ON needs the release public key, but ${_file} does not exist; "
        "pass -DSTIGMER_RELEASE_PUBKEY=<path to release.pub>")
    endif()
    list(APPEND _key_files "${_file}")
  endforeach()
else()
  if(NOT EXISTS "${STIGMER_DEV_PUBKEY}")
    message(FATAL_ERROR "development public key ${STIGMER_DEV_PUBKEY} is missing")
  endif()
  list(APPEND _key_files "${STIGMER_DEV_PUBKEY}")
  foreach(_file IN LISTS STIGMER_RELEASE_PUBKEY)
    if(EXISTS "${_file}")
      list(APPEND _key_files "${_file}")
    endif()
  endforeach()
endif()
list(REMOVE_DUPLICATES _key_files)

set(STIGMER_TRUSTED_KEY_LINES "")
set(STIGMER_TRUSTED_KEY_SOURCES "")
list(LENGTH _key_files STIGMER_TRUSTED_KEY_COUNT)
foreach(_file IN LISTS _key_files)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_file}")
  file(STRINGS "${_file}" _lines)
  set(_key "")
  foreach(_line IN LISTS _lines)
    if(NOT _line MATCHES "^untrusted comment:" AND NOT _line STREQUAL "")
      set(_key "${_line}")
      break()
    endif()
  endforeach()
  if(NOT _key MATCHES "^[A-Za-z0-9+/=]+$")
    message(FATAL_ERROR "${_file} is not a minisign public key file")
  endif()
  get_filename_component(_name "${_file}" NAME)
  string(APPEND STIGMER_TRUSTED_KEY_LINES "    \"${_key}\",  // ${_name}\n")
  string(APPEND STIGMER_TRUSTED_KEY_SOURCES " ${_name}")
endforeach()

configure_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/trusted_keys.h.in"
               "${CMAKE_CURRENT_BINARY_DIR}/generated/embedded_keys.h" @ONLY)
