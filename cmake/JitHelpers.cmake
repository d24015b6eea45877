# Build helpers: every library, binary and test of the project is declared through
# these functions so that warnings, include roots and aliases are uniform.
#
#   jit_cc_library(NAME status SRCS a.cc HDRS a.h DEPS absl::status)
#     -> target jit_status, alias jit::status (header-only when SRCS is empty)
#   jit_cc_binary(NAME jit-kafka-broker SRCS main.cc DEPS jit::kafka)
#   jit_cc_test(NAME status_test SRCS status_test.cc DEPS jit::status)
#     -> gtest binary registered with ctest through gtest_discover_tests,
#        labelled "unit" unless LABELS is given.

set(JIT_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)

function(jit_apply_common target)
  target_compile_options(${target} PRIVATE ${JIT_WARNING_FLAGS})
  if(JIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(jit_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target jit_${ARG_NAME})
  if(ARG_SRCS)
    add_library(${target} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    jit_apply_common(${target})
  else()
    add_library(${target} INTERFACE ${ARG_HDRS})
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(jit::${ARG_NAME} ALIAS ${target})
endfunction()

function(jit_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  target_compile_definitions(${ARG_NAME} PRIVATE JIT_VERSION="${JIT_VERSION_STRING}")
  jit_apply_common(${ARG_NAME})
endfunction()

function(jit_cc_test)
  if(NOT JIT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS;DEFINES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE ${ARG_DEFINES})
  jit_apply_common(${ARG_NAME})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 30
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# A test implemented as a script (shell or Python) registered with ctest.
function(jit_script_test)
  if(NOT JIT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "COMMAND;LABELS;ENVIRONMENT;DEPENDS_TARGETS" ${ARGN})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_COMMAND} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(NOT ARG_LABELS)
    set(ARG_LABELS integration)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "JIT_SOURCE_DIR=${PROJECT_SOURCE_DIR};JIT_BINARY_DIR=${PROJECT_BINARY_DIR};${ARG_ENVIRONMENT}")
endfunction()

# A service folder (services/<name>/): its layers in dependency order (each a
# subfolder with its own CMakeLists.txt), its binary.cmake, and tests/ when
# tests are built. See docs/DEVELOPING.md.
#   jit_service(LAYERS domain events storage api)
function(jit_service)
  cmake_parse_arguments(ARG "" "" "LAYERS" ${ARGN})
  foreach(layer IN LISTS ARG_LAYERS)
    if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${layer}/CMakeLists.txt")
      message(FATAL_ERROR "jit_service: no ${layer}/CMakeLists.txt in ${CMAKE_CURRENT_SOURCE_DIR}")
    endif()
    add_subdirectory(${layer})
  endforeach()
  include(${CMAKE_CURRENT_SOURCE_DIR}/binary.cmake)
  if(JIT_BUILD_TESTS AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/tests/CMakeLists.txt")
    add_subdirectory(tests)
  endif()
endfunction()
