// The console's built files, read once at start (they are small: docs/console.md, the size limit).
#include "mailpush/api/console.hpp"
#include "mailpush/common/digest.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace mailpush::api {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxTotal = 16 * 1024 * 1024;

struct TypeByExtension {
    std::string_view extension;
    std::string_view content_type;
};
constexpr std::array kTypes{
    TypeByExtension{".html", "text/html; charset=utf-8"},
    TypeByExtension{".js", "text/javascript; charset=utf-8"},
    TypeByExtension{".css", "text/css; charset=utf-8"},
    TypeByExtension{".svg", "image/svg+xml"},
    TypeByExtension{".png", "image/png"},
    TypeByExtension{".woff2", "font/woff2"},
    TypeByExtension{".json", "application/json"},
    TypeByExtension{".txt", "text/plain; charset=utf-8"},
};

std::string_view type_of(const fs::path& p) {
    const auto ext = p.extension().string();
    for (const auto& t : kTypes)
        if (t.extension == ext) return t.content_type;
    return {};
}

// Names made by the build with a content hash: "app-5KX2QZ3M.js".
bool hashed_name(const std::string& name) {
    const auto dash = name.rfind('-'), dot = name.rfind('.');
    return dash != std::string::npos && dot != std::string::npos && dot > dash + 6;
}
} // namespace

ConsoleAssets ConsoleAssets::load(const std::string& dir) {
    ConsoleAssets out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    std::size_t total = 0;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it.depth() > 1) {
            it.disable_recursion_pending();
            continue;
        }
        const auto type = type_of(it->path());
        if (!it->is_regular_file(ec) || type.empty()) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        auto text = body.str();
        total += text.size();
        if (total > kMaxTotal)
            throw std::runtime_error("console assets in " + dir + " are larger than 16 MiB");
        const auto name = fs::relative(it->path(), dir).generic_string();
        const auto etag = "\"" + common::to_hex(common::hmac_sha256("console", text)).substr(0, 32) + "\"";
        out.files_[name] = {std::move(text), std::string(type), etag,
                            hashed_name(it->path().filename().string())};
    }
    return out;
}

const ConsoleAssets::File* ConsoleAssets::find(const std::string& name) const {
    const auto it = files_.find(name);
    return it == files_.end() ? nullptr : &it->second;
}

} // namespace mailpush::api
