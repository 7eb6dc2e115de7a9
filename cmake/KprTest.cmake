# kpr_test(NAME SOURCES... LIBS ...): a GoogleTest binary registered with ctest.
# Tests named *_redistest, *_natstest, *_smtptest, *_httptest or *_e2etest need real servers
# or sockets: they link kpr_harness, which starts redis-server / nats-server -js on free loopback
# ports (and the SMTP sink and SMS gateway simulator on first use), and carry the label
# "integration".
function(kpr_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock)
  if(name MATCHES "_(redis|nats|smtp|http|e2e)test$")
    target_link_libraries(${name} PRIVATE kpr_harness)
    set(labels integration)
  else()
    target_link_libraries(${name} PRIVATE GTest::gtest_main)
    set(labels unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT "KPR_BIN_DIR=${CMAKE_BINARY_DIR}")
endfunction()
