#include "text_input.hpp"

#include "mailpush/common/strings.hpp"

#include <fstream>
#include <iconv.h>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace mailpush::ctl {
namespace {

// GB18030 (a superset of GBK, what spreadsheet programs on Chinese systems save) to UTF-8.
std::optional<std::string> gb18030_to_utf8(const std::string& in) {
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    std::string out(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data()); // iconv's interface; it does not write through it
    char* dst = out.data();
    std::size_t left = in.size(), room = out.size();
    const auto rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1) || left != 0) return std::nullopt;
    out.resize(out.size() - room);
    return out;
}

} // namespace

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (common::valid_utf8(content)) return content;
    if (auto converted = gb18030_to_utf8(content); converted && common::valid_utf8(*converted))
        return *converted;
    throw std::runtime_error(path + " is neither UTF-8 nor GB18030/GBK text");
}

std::string read_stdin_line() {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

} // namespace mailpush::ctl
