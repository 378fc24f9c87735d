// Open and click tracking in a message's HTML: the parts are found once (analyse), and each
// recipient's copy is spliced from the kept pieces (render). Pure; handles untrusted input (the
// message as accepted): whatever cannot be rewritten safely stays untouched, with a reason.
// docs/tracking.md, "Rewriting".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::tracking {

struct TrackOptions {
    bool open = false;                      // add the 1x1 open pixel to each HTML part
    bool links = false;                     // redirect every http(s) link of each HTML part
    std::vector<std::string> keep_prefixes; // links starting with one of these stay (the unsubscribe base)
};

class TrackedMessage {
public:
    // Parses the message once (header + body, CRLF line ends). Never throws on bad input:
    // anything it cannot rewrite safely is left untracked with a reason.
    static TrackedMessage analyse(std::string message, const TrackOptions& options);

    bool tracked() const { return tracked_; }                        // false: render() is the input
    const std::string& reason() const { return reason_; }            // why not tracked ("" when tracked)
    const std::vector<std::string>& links() const { return links_; } // link n (1-based) is links()[n-1]
    std::size_t size() const { return message_.size(); }             // bytes of the message analysed

    // The message for one recipient. `base_url` like "http://dmtrace.example.com" (no trailing
    // slash). Pixel: base_url + "/o/" + token(0); link n: base_url + "/c/" + token(n). token is
    // called once per number. Bytes of base_url outside the URL-safe set are percent-encoded.
    std::string render(std::string_view base_url,
                       const std::function<std::string(std::uint32_t)>& token) const;

    struct Part; // one rewritten HTML part, opaque here (src/tracking/tracked_part.hpp)

private:
    struct Piece {
        std::size_t begin = 0, end = 0; // a range of message_ kept as it is, or
        int part = -1;                  // parts_[part] rendered
    };
    std::string message_;
    bool tracked_ = false;
    std::string reason_;
    std::vector<std::string> links_;
    std::vector<Piece> pieces_;
    std::vector<Part> parts_;
    bool open_ = false;

    TrackedMessage();

public:
    TrackedMessage(TrackedMessage&&) noexcept;
    TrackedMessage& operator=(TrackedMessage&&) noexcept;
    TrackedMessage(const TrackedMessage&);
    TrackedMessage& operator=(const TrackedMessage&);
    ~TrackedMessage();
};

} // namespace mailpush::tracking
