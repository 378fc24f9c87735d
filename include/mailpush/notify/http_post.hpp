// One blocking HTTP(S) POST with an overall deadline, for pushing notifications. A new
// connection per call; https verifies the server's certificate and name against the system's
// CA store.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mailpush::notify {

struct PostResult {
    bool ok = false;   // a 2xx status
    int status = 0;    // 0: no HTTP answer
    std::string error; // for the log when not ok
};

struct PostOptions {
    std::chrono::milliseconds timeout{10'000}; // the whole call
    std::string ca_file; // PEM CAs trusted besides the system's (a private CA); "" = system only
};

PostResult http_post(const std::string& url, const std::string& content_type, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const PostOptions& options);

} // namespace mailpush::notify
