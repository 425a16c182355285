# Generates trusted_keys.h from minisign public key files, so the keys are embedded at build time.
#   dev builds (default):      the development key, plus the release key if its file exists
#   STIGMER_RELEASE_BUILD=ON:  the release key only; configuring fails if its file is missing
set(STIGMER_DEV_PUBKEY "${CMAKE_CURRENT_SOURCE_DIR}/../release/keys/dev.pub"
    CACHE FILEPATH "minisign public key trusted by development builds")
set(STIGMER_RELEASE_PUBKEY "${CMAKE_CURRENT_SOURCE_DIR}/../release/keys/release.pub"
    CACHE FILEPATH "minisign public key of public releases")

set(_key_files "")
if(STIGMER_RELEASE_BUILD)
  if(NOT EXISTS "${STIGMER_RELEASE_PUBKEY}")
    message(FATAL_ERROR
      "STIGMER_RELEASE_BUILD=ON needs the release public key, but ${STIGMER_RELEASE_PUBKEY} does "
      "not exist; pass -DSTIGMER_RELEASE_PUBKEY=<path to release.pub>")
  endif()
  list(APPEND _key_files "${STIGMER_RELEASE_PUBKEY}")
else()
  if(NOT EXISTS "${STIGMER_DEV_PUBKEY}")
    message(FATAL_ERROR "development public key ${STIGMER_DEV_PUBKEY} is missing")
  endif()
  list(APPEND _key_files "${STIGMER_DEV_PUBKEY}")
  if(EXISTS "${STIGMER_RELEASE_PUBKEY}")
    list(APPEND _key_files "${STIGMER_RELEASE_PUBKEY}")
  endif()
endif()

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
