# Warnings for our own targets; third-party headers come in as SYSTEM so they stay quiet.
# -Wnull-dereference is left out: with GCC 12 at -O2 it fires inside inlined Asio/libstdc++ code.
function(mailpush_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
        -Wnon-virtual-dtor -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
    if(MAILPUSH_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
