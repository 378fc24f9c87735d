// Blocking HTTP(S) POSTs with an overall deadline, for pushing notifications. A new
// connection per call; https verifies the server's certificate and name against the system's
// CA store.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mailpush::notify {

struct PostResult {
    bool ok = false;      // a 2xx status
    int status = 0;       // 0: no HTTP answer
    bool refused = false; // the target's host has no address we may connect to
    std::string error;    // for the log when not ok
};

struct PostOptions {
    std::chrono::milliseconds timeout{10'000}; // the whole call
    std::string ca_file; // PEM CAs trusted besides the system's (a private CA); "" = system only
    bool allow_private_targets = false; // loopback, private, link-local... hosts may be POSTed to
};

// Keeps the TLS client context (the CA store is loaded once, on the first https URL).
class HttpPoster {
public:
    explicit HttpPoster(PostOptions options);
    ~HttpPoster();
    HttpPoster(const HttpPoster&) = delete;
    HttpPoster& operator=(const HttpPoster&) = delete;
    PostResult post(const std::string& url, const std::string& content_type, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers);

private:
    struct Tls;
    PostOptions options_;
    std::unique_ptr<Tls> tls_;
};

} // namespace mailpush::notify
