# The dependency rule, checked when the build is configured:
#
#   domain code (targets named *_domain) reaches none of gRPC, librdkafka or
#   SQLite, directly or through anything it links (public or private,
#   transitively: a static library's private dependencies end up in the
#   domain's executables too); storage code (*_storage) reaches neither gRPC
#   nor librdkafka (the outbox encoder is injected, see libs/outbox).
#
# jit_check_dependency_rule() walks every listed target's link closure
# (LINK_LIBRARIES of built targets, INTERFACE_LINK_LIBRARIES of imported and
# interface ones, aliases resolved, $<LINK_ONLY:...> unwrapped) and stops the
# configuration with FATAL_ERROR naming each offending path, so a wrong link
# fails the build before anything compiles. tests/dependency_rule proves it
# can fail: it configures a scratch project with a deliberately wrong link.

# Appends to `out_var` the direct link items of `target` (names as written).
function(_jit_dep_direct_items target out_var)
  set(items "")
  get_target_property(type ${target} TYPE)
  get_target_property(imported ${target} IMPORTED)
  if(NOT type STREQUAL "INTERFACE_LIBRARY" AND NOT imported)
    get_target_property(link ${target} LINK_LIBRARIES)
    if(link)
      list(APPEND items ${link})
    endif()
  endif()
  get_target_property(iface ${target} INTERFACE_LINK_LIBRARIES)
  if(iface)
    list(APPEND items ${iface})
  endif()
  set(clean "")
  foreach(item IN LISTS items)
    # $<LINK_ONLY:x> (a static library's private dependency) is still linked.
    if(item MATCHES "^\\$<LINK_ONLY:(.+)>$")
      set(item "${CMAKE_MATCH_1}")
    endif()
    # Other generator expressions and CMake's directory markers: skipped.
    if(item MATCHES "^\\$<" OR item MATCHES "^::@")
      continue()
    endif()
    list(APPEND clean "${item}")
  endforeach()
  list(REMOVE_DUPLICATES clean)
  set(${out_var} "${clean}" PARENT_SCOPE)
endfunction()

# Resolves an alias (jit::status -> jit_status); non-targets are returned as is.
function(_jit_dep_resolve item out_var)
  if(TARGET "${item}")
    get_target_property(aliased "${item}" ALIASED_TARGET)
    if(aliased)
      set(item "${aliased}")
    endif()
  endif()
  set(${out_var} "${item}" PARENT_SCOPE)
endfunction()

# Sets `out_var` to a list of "a -> b -> forbidden" paths from `root` to an
# item matching `forbidden_regex`, one per forbidden item reached (breadth
# first, so each path is a shortest one).
function(_jit_dep_violations root forbidden_regex out_var)
  # Paths are kept in variables named after each item's C identifier: target
  # names such as gRPC::grpc++ cannot appear inside a ${} reference.
  set(queue "${root}")
  set(seen "${root}")
  string(MAKE_C_IDENTIFIER "${root}" root_id)
  set(path_${root_id} "${root}")
  set(found "")
  while(queue)
    list(POP_FRONT queue current)
    if(NOT TARGET "${current}")
      continue()
    endif()
    string(MAKE_C_IDENTIFIER "${current}" current_id)
    _jit_dep_direct_items("${current}" items)
    foreach(raw IN LISTS items)
      _jit_dep_resolve("${raw}" item)
      if(item IN_LIST seen)
        continue()
      endif()
      list(APPEND seen "${item}")
      string(MAKE_C_IDENTIFIER "${item}" item_id)
      set(path_${item_id} "${path_${current_id}} -> ${raw}")
      if(raw MATCHES "${forbidden_regex}" OR item MATCHES "${forbidden_regex}")
        list(APPEND found "${path_${item_id}}")
        continue()
      endif()
      list(APPEND queue "${item}")
    endforeach()
  endwhile()
  set(${out_var} "${found}" PARENT_SCOPE)
endfunction()

# Lists every build-system target defined under `dir` (recursively).
function(_jit_dep_targets_under dir out_var)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _jit_dep_targets_under("${sub}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out_var} "${targets}" PARENT_SCOPE)
endfunction()

# jit_check_dependency_rule(
#   RULE <name_regex> FORBID <item_regex> [RULE ... FORBID ...]...)
# For every target of the project whose name matches a RULE's regex, fails the
# configuration if its link closure reaches an item matching that FORBID regex.
function(jit_check_dependency_rule)
  _jit_dep_targets_under("${CMAKE_SOURCE_DIR}" all_targets)
  set(args ${ARGN})
  set(errors "")
  set(checked 0)
  while(args)
    list(POP_FRONT args kw_rule name_regex kw_forbid forbidden_regex)
    if(NOT kw_rule STREQUAL "RULE" OR NOT kw_forbid STREQUAL "FORBID")
      message(FATAL_ERROR
        "jit_check_dependency_rule: expected RULE <regex> FORBID <regex>")
    endif()
    foreach(target IN LISTS all_targets)
      if(NOT target MATCHES "${name_regex}")
        continue()
      endif()
      math(EXPR checked "${checked} + 1")
      _jit_dep_violations("${target}" "${forbidden_regex}" paths)
      foreach(path IN LISTS paths)
        string(APPEND errors "\n  ${path}")
      endforeach()
    endforeach()
  endwhile()
  if(errors)
    message(FATAL_ERROR
      "dependency rule broken (cmake/JitDependencyRule.cmake): domain code "
      "must not reach gRPC, librdkafka or SQLite, storage code neither gRPC "
      "nor librdkafka:${errors}")
  endif()
  message(STATUS "Dependency rule: ${checked} targets checked, none reaches "
                 "what it must not")
endfunction()
