# hg_add_layer(NAME DEPS dep...)
#
# One layer = one folder under src/ (with its internal/ helpers). Every foo.cc becomes part of library
# hg_NAME; every foo_test.cc goes into the test binary NAME_tests (registered
# with CTest); every foo_benchmark.cc into NAME_benchmarks (built for
# `make bench`, never run by tests).
function(hg_add_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc ${CMAKE_CURRENT_SOURCE_DIR}/internal/*.cc)
  set(lib_sources "")
  set(test_sources "")
  set(bench_sources "")
  foreach(src IN LISTS all_sources)
    if(src MATCHES "_test\\.cc$")
      list(APPEND test_sources ${src})
    elseif(src MATCHES "_benchmark\\.cc$")
      list(APPEND bench_sources ${src})
    elseif(NOT src MATCHES "_main\\.cc$")
      list(APPEND lib_sources ${src})
    endif()
  endforeach()
  add_library(hg_${name} STATIC ${lib_sources})
  target_link_libraries(hg_${name} PUBLIC ${ARG_DEPS})
  if(test_sources AND HYDRAGUARD_TESTS)
    add_executable(${name}_tests ${test_sources})
    target_link_libraries(${name}_tests PRIVATE hg_${name} ${ARG_TEST_DEPS} GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name}_tests PRIVATE
      HG_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HG_BINARY_DIR="${PROJECT_BINARY_DIR}")
    gtest_discover_tests(${name}_tests DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "HG_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
  if(bench_sources AND HYDRAGUARD_BENCH)
    add_executable(${name}_benchmarks ${bench_sources})
    target_link_libraries(${name}_benchmarks PRIVATE hg_${name} ${ARG_TEST_DEPS} benchmark::benchmark_main)
    target_compile_definitions(${name}_benchmarks PRIVATE HG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  endif()
endfunction()
