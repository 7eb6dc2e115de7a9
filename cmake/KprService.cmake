# kpr_service_binaries(NAME LIBRARY): the service's executables from one compiled main.cc and
# its LIBRARY, differing only in the domain clock source they link (libs/clock):
#   kpr-NAME      kpr_clock_real: the machine's clock (production; no flag can change it)
#   kpr-NAME-sim  kpr_clock_sim: the simulated clock shared through Redis (`kprctl clock`), for
#                 tests and the demo
# So CI builds the service once, and a production binary holds no simulated clock at all.
# Only the production binary is installed, as install component NAME: that is what the container
# image holds (deploy/k8s/images/build.sh runs `cmake --install --component NAME`).
function(kpr_service_binaries name library)
  add_library(kpr-${name}-main OBJECT main.cc)
  target_link_libraries(kpr-${name}-main PRIVATE ${library} kpr_clock absl::flags_parse)
  foreach(variant real sim)
    if(variant STREQUAL "real")
      set(exe kpr-${name})
    else()
      set(exe kpr-${name}-sim)
    endif()
    add_executable(${exe} $<TARGET_OBJECTS:kpr-${name}-main>)
    kpr_use_service_allocator(${exe})
    target_link_libraries(${exe} PRIVATE ${library} kpr_clock_${variant} absl::flags_parse)
  endforeach()
  install(TARGETS kpr-${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${name})
endfunction()
