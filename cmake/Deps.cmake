# Everything comes from Debian 12's packages (see README "Requirements").
find_package(Threads REQUIRED)          # gRPC's config relies on it being found first
find_package(Protobuf REQUIRED)         # module mode: Debian ships no protobuf CMake config
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
# Header-only Boost (libboost-dev): Beast and Asio for the HTTP server in libs/observe.
find_package(Boost 1.74 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian's cnats and hiredis CMake configs are broken (cnats names a static library it does
# not ship): use pkg-config.
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# cpp-httplib 0.11.4 is built as a shared library; its .pc carries the feature defines
# (OpenSSL, zlib, brotli) the header must see to match it.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(CURL REQUIRED)                     # libcurl4-openssl-dev: HTTP and SMTP clients
find_package(nlohmann_json 3 CONFIG REQUIRED)   # nlohmann-json3-dev (header only)
# The services' allocator. With glibc's malloc the referral intake spent ~30 % more CPU in the
# service process (malloc, free and consolidation across its worker threads; bench/RESULTS.md),
# so every service binary, and every benchmark that runs a service in-process, links jemalloc.
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
function(kpr_use_service_allocator target)
  target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
endfunction()
