# All dependencies come from Debian 12 packages (tools/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS headers)
find_package(OpenSSL 3 REQUIRED)
find_package(spdlog REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
# MIME parsing of inbound reports and of tracked messages, confined to the inbound and tracking modules (docs/adr/0008-gmime.md).
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
# HTML parsing with source positions for open/click tracking (docs/adr/0009-html-rewriting.md).
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)

# Asio and Beast are compiled once (src/net/asio_impl.cpp), not in every translation unit.
add_library(mailpush_asio_defs INTERFACE)
target_compile_definitions(mailpush_asio_defs INTERFACE
    BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(mailpush_asio_defs INTERFACE Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
