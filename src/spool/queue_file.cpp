// Encoding and verification of one queue file (docs/queue-format.md). decode_queue_file and
// read_queue_entry read files that may be truncated or damaged: every length is checked before use.
#include "mailpush/common/durable_file.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/spool/spool.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace mailpush::spool {
namespace {
constexpr std::string_view kMagic = "MPQ1 ";
constexpr std::string_view kTrailer = "\nMPQ-END\n";

nlohmann::json envelope_json(const QueueEntry& e) {
    const auto& env = *e.envelope;
    nlohmann::json rcpts = nlohmann::json::array();
    for (std::size_t i = 0; i < env.recipient_count(); ++i)
        rcpts.push_back({{"address", env.address(i)}, {"notify", env.notify(i)}, {"orcpt", env.orcpt(i)}});
    nlohmann::json j{{"envid", e.envid},    {"mail_from", env.mail_from()}, {"auth_user", env.auth_user()},
                     {"recipients", rcpts}, {"body_type", env.body_type()}, {"smtputf8", env.smtputf8()},
                     {"ret", env.ret()},    {"dsn_envid", env.dsn_envid()}, {"received_at", e.received_at_ms},
                     {"peer", env.peer()},  {"helo", env.helo()},           {"tls", env.tls()}};
    if (!env.unsubscribe().empty()) j["unsubscribe"] = env.unsubscribe(); // absent in older files
    if (env.track_opens()) j["track_opens"] = true;                       // likewise
    if (env.track_links()) j["track_links"] = true;
    return j;
}
} // namespace

namespace {
std::string head_of(const QueueEntry& entry, std::uint64_t body_size, std::size_t padded_to) {
    // Non-UTF-8 bytes (8BITMIME headers in the envelope are ASCII, but be safe) are replaced.
    std::string header = envelope_json(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (padded_to == 0)
        return std::string(kMagic) + std::to_string(header.size()) + " " + std::to_string(body_size) + "\n" +
               header + "\n";
    // The header's length in 20 digits, so the first line's length does not depend on it; the
    // JSON is padded with spaces (whitespace a JSON parser skips).
    const std::string body_len = std::to_string(body_size);
    const std::size_t first_line = kMagic.size() + 20 + 1 + body_len.size() + 1;
    if (padded_to < first_line + header.size() + 1) return {};
    const std::size_t header_len = padded_to - first_line - 1;
    std::string len = std::to_string(header_len);
    len.insert(0, 20 - len.size(), '0');
    header.append(header_len - header.size(), ' ');
    return std::string(kMagic) + len + " " + body_len + "\n" + header + "\n";
}
} // namespace

std::string queue_file_head(const QueueEntry& entry, std::size_t padded_to) {
    return head_of(entry, entry.size, padded_to);
}

std::string_view queue_file_trailer() {
    return kTrailer;
}

std::string encode_queue_file(const QueueEntry& entry, std::string_view body) {
    std::string out = head_of(entry, body.size(), 0);
    out.reserve(out.size() + body.size() + kTrailer.size());
    out.append(body);
    out += kTrailer;
    return out;
}

namespace {
// The first line's lengths: where the header starts, its length and the body's.
struct Layout {
    std::size_t head = 0;
    std::uint64_t header_len = 0, body_len = 0;
    std::uint64_t file_size() const { return head + header_len + 1 + body_len + kTrailer.size(); }
};

std::optional<Layout> parse_first_line(std::string_view f) {
    if (!f.starts_with(kMagic)) return std::nullopt;
    const auto nl = f.find('\n');
    if (nl == std::string_view::npos || nl > 64) return std::nullopt;
    const auto lens = f.substr(kMagic.size(), nl - kMagic.size());
    const auto sp = lens.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    const auto hlen = common::parse_u64(lens.substr(0, sp));
    const auto blen = common::parse_u64(lens.substr(sp + 1));
    if (!hlen || !blen || *hlen > (1ULL << 40) || *blen > (1ULL << 40)) return std::nullopt;
    return Layout{nl + 1, *hlen, *blen};
}

std::optional<QueueEntry> entry_from_header(std::string_view header, std::uint64_t body_len) {
    try {
        const auto j = nlohmann::json::parse(header);
        QueueEntry e;
        e.envid = j.at("envid").get<std::uint64_t>();
        smtp::Envelope env;
        env.mail_from = j.at("mail_from").get<std::string>();
        env.auth_user = j.at("auth_user").get<std::string>();
        for (const auto& r : j.at("recipients"))
            env.recipients.push_back({r.at("address").get<std::string>(), r.at("notify").get<std::string>(),
                                      r.at("orcpt").get<std::string>()});
        env.body_type = j.at("body_type").get<std::string>();
        env.smtputf8 = j.at("smtputf8").get<bool>();
        env.ret = j.at("ret").get<std::string>();
        env.dsn_envid = j.at("dsn_envid").get<std::string>();
        e.received_at_ms = j.at("received_at").get<std::int64_t>();
        env.helo = j.at("helo").get<std::string>();
        env.tls = j.at("tls").get<bool>();
        env.unsubscribe = j.value("unsubscribe", std::string());
        env.track_opens = j.value("track_opens", false);
        env.track_links = j.value("track_links", false);
        e.envelope = std::make_shared<const smtp::PackedEnvelope>(env, j.at("peer").get<std::string>());
        e.size = body_len;
        return e;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}
} // namespace

std::optional<QueueHeader> split_queue_file(std::string_view f, std::size_t& body_at) {
    const auto layout = parse_first_line(f);
    if (!layout || layout->file_size() != f.size()) return std::nullopt;
    if (f[layout->head + layout->header_len] != '\n' || !f.ends_with(kTrailer)) return std::nullopt;
    body_at = layout->head + static_cast<std::size_t>(layout->header_len) + 1;
    return QueueHeader{std::string(f.substr(layout->head, layout->header_len)), layout->body_len};
}

std::optional<std::pair<QueueEntry, std::string>> decode_queue_file(std::string_view f) {
    std::size_t body_at = 0;
    const auto header = split_queue_file(f, body_at);
    auto entry = header ? entry_from_header(header->json, header->body_len) : std::nullopt;
    if (!entry) return std::nullopt;
    return std::pair{std::move(*entry), std::string(f.substr(body_at, header->body_len))};
}

namespace {
// A file's first line, its header's end and its trailer checked; `front` holds the file from
// its start through the header's newline.
struct FileFront {
    Layout layout;
    std::string front;
    std::size_t header_end = 0; // where the body starts
};

std::optional<FileFront> read_front(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size < 0) return std::nullopt;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(size, 4096)), '\0');
    if (!common::pread_all(fd, buf.data(), buf.size(), 0)) return std::nullopt;
    const auto layout = parse_first_line(buf);
    if (!layout || layout->file_size() != size) return std::nullopt;
    const std::size_t header_end = layout->head + static_cast<std::size_t>(layout->header_len) + 1;
    if (header_end > buf.size()) { // a long envelope: the rest of its header
        const auto have = buf.size();
        buf.resize(header_end);
        if (!common::pread_all(fd, buf.data() + have, header_end - have, have)) return std::nullopt;
    }
    char trailer[kTrailer.size()];
    if (buf[header_end - 1] != '\n' ||
        !common::pread_all(fd, trailer, sizeof trailer, size - sizeof trailer) ||
        std::string_view(trailer, sizeof trailer) != kTrailer)
        return std::nullopt;
    return FileFront{*layout, std::move(buf), header_end};
}
} // namespace

std::optional<QueueHeader> read_queue_header(int fd) {
    auto f = read_front(fd);
    if (!f) return std::nullopt;
    f->front.resize(f->header_end - 1);
    f->front.erase(0, f->layout.head);
    return QueueHeader{std::move(f->front), f->layout.body_len};
}

std::optional<std::string> read_queue_body(int fd) {
    const auto f = read_front(fd);
    if (!f) return std::nullopt;
    std::string body(static_cast<std::size_t>(f->layout.body_len), '\0');
    // Most of a small body came with the front: only the rest is read.
    const std::size_t have = std::min(f->front.size() - f->header_end, body.size());
    std::copy_n(f->front.data() + f->header_end, have, body.data());
    if (!common::pread_all(fd, body.data() + have, body.size() - have, f->header_end + have))
        return std::nullopt;
    return body;
}

std::optional<QueueEntry> parse_queue_header(const QueueHeader& header) {
    return entry_from_header(header.json, header.body_len);
}

std::optional<QueueEntry> read_queue_entry(int fd) {
    const auto header = read_queue_header(fd);
    return header ? parse_queue_header(*header) : std::nullopt;
}

} // namespace mailpush::spool
