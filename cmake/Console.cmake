# The web console (console/, docs/console.md): npm ci from the committed lockfile when it changed,
# then esbuild into share/mailpush/console of the build tree, where mailpushd (build/src/) finds it
# as ../share/mailpush/console, as an installed /usr/bin/mailpushd finds /usr/share/mailpush/console.
find_program(MAILPUSH_NPM npm REQUIRED)
find_program(MAILPUSH_NODE node REQUIRED)
set(console_dir ${CMAKE_SOURCE_DIR}/console)
set(console_out ${CMAKE_BINARY_DIR}/share/mailpush/console)
file(GLOB_RECURSE console_sources CONFIGURE_DEPENDS ${console_dir}/src/*)
add_custom_command(
    OUTPUT ${console_dir}/node_modules/.package-lock.json
    COMMAND ${MAILPUSH_NPM} ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY ${console_dir}
    DEPENDS ${console_dir}/package-lock.json ${console_dir}/package.json
    COMMENT "console: npm ci (preact, esbuild)")
add_custom_command(
    OUTPUT ${console_out}/index.html
    COMMAND ${MAILPUSH_NODE} build.mjs ${console_out}
    WORKING_DIRECTORY ${console_dir}
    DEPENDS ${console_sources} ${console_dir}/build.mjs ${console_dir}/node_modules/.package-lock.json
    COMMENT "console: esbuild")
add_custom_target(console ALL DEPENDS ${console_out}/index.html)
install(DIRECTORY ${console_out}/ DESTINATION share/mailpush/console)
