// A small, bounds-checked DNS message reader (RFC 1035 §4.1): header, questions skipped,
// answers read for their type, TTL and RDATA. Names use compression pointers, followed with a
// hop limit so a malicious loop cannot hang us.
#include "mailpush/dns/answers.hpp"

#include <algorithm>
#include <arpa/inet.h>

namespace mailpush::dns {
namespace {

class Reader {
public:
    Reader(const unsigned char* m, std::size_t n)
        : msg_(m)
        , len_(n) {}
    bool u16(std::size_t& pos, std::uint16_t& v) const {
        if (pos + 2 > len_) return false;
        v = static_cast<std::uint16_t>(msg_[pos] << 8 | msg_[pos + 1]);
        pos += 2;
        return true;
    }
    bool u32(std::size_t& pos, std::uint32_t& v) const {
        std::uint16_t hi = 0, lo = 0;
        if (!u16(pos, hi) || !u16(pos, lo)) return false;
        v = static_cast<std::uint32_t>(hi) << 16 | lo;
        return true;
    }
    // Reads a (possibly compressed) name at pos; advances pos past it in the original place.
    bool name(std::size_t& pos, std::string& out) const {
        out.clear();
        std::size_t p = pos;
        bool jumped = false;
        for (int hops = 0; hops < 64; ++hops) {
            if (p >= len_) return false;
            const unsigned char l = msg_[p];
            if (l == 0) {
                if (!jumped) pos = p + 1;
                return true;
            }
            if ((l & 0xC0) == 0xC0) {
                if (p + 1 >= len_) return false;
                if (!jumped) pos = p + 2;
                p = static_cast<std::size_t>((l & 0x3F) << 8 | msg_[p + 1]);
                jumped = true;
                continue;
            }
            if ((l & 0xC0) != 0 || p + 1 + l > len_) return false;
            if (!out.empty()) out += '.';
            out.append(reinterpret_cast<const char*>(msg_ + p + 1), l);
            if (out.size() > 255) return false;
            p += 1 + l;
        }
        return false;
    }
    const unsigned char* at(std::size_t pos) const { return msg_ + pos; }
    std::size_t size() const { return len_; }

private:
    const unsigned char* msg_;
    std::size_t len_;
};

} // namespace

std::optional<ParsedAnswer> parse_answer(const unsigned char* msg, std::size_t len, std::uint16_t qtype) {
    Reader r(msg, len);
    std::size_t pos = 4;
    std::uint16_t qd = 0, an = 0, ns = 0, ar = 0;
    if (!r.u16(pos, qd) || !r.u16(pos, an) || !r.u16(pos, ns) || !r.u16(pos, ar)) return std::nullopt;
    std::string name;
    for (unsigned i = 0; i < qd; ++i) {
        if (!r.name(pos, name) || pos + 4 > len) return std::nullopt;
        pos += 4;
    }
    ParsedAnswer out;
    bool first = true;
    for (unsigned i = 0; i < an; ++i) {
        std::uint16_t type = 0, cls = 0, rdlen = 0;
        std::uint32_t ttl = 0;
        if (!r.name(pos, name) || !r.u16(pos, type) || !r.u16(pos, cls) || !r.u32(pos, ttl) ||
            !r.u16(pos, rdlen))
            return std::nullopt;
        if (pos + rdlen > len) return std::nullopt;
        const std::size_t rdata = pos;
        pos += rdlen;
        if (type != qtype) continue; // CNAME chains: the final records carry the data (unless asked)
        out.min_ttl = first ? ttl : std::min(out.min_ttl, ttl);
        first = false;
        if (type == 15) {
            std::size_t p = rdata;
            MxHost mx;
            if (!r.u16(p, mx.preference) || !r.name(p, mx.name)) return std::nullopt;
            out.mx.push_back(std::move(mx));
        } else if (type == 1 && rdlen == 4) {
            char buf[INET_ADDRSTRLEN];
            out.addresses.emplace_back(inet_ntop(AF_INET, r.at(rdata), buf, sizeof buf));
        } else if (type == 28 && rdlen == 16) {
            char buf[INET6_ADDRSTRLEN];
            out.addresses.emplace_back(inet_ntop(AF_INET6, r.at(rdata), buf, sizeof buf));
        } else if (type == 16) { // one or more <length><bytes> strings, joined (RFC 7208 §3.3)
            std::string text;
            for (std::size_t p = rdata; p < rdata + rdlen;) {
                const std::size_t n = *r.at(p);
                if (p + 1 + n > rdata + rdlen) return std::nullopt;
                text.append(reinterpret_cast<const char*>(r.at(p + 1)), n);
                p += 1 + n;
            }
            out.texts.push_back(std::move(text));
        } else if (type == 5) {
            std::size_t p = rdata;
            std::string target;
            if (!r.name(p, target)) return std::nullopt;
            out.texts.push_back(std::move(target));
        }
    }
    out.null_mx = out.mx.size() == 1 && out.mx[0].preference == 0 && out.mx[0].name.empty();
    return out;
}

std::vector<MxHost> order_mx(std::vector<MxHost> hosts, std::mt19937& rng) {
    std::shuffle(hosts.begin(), hosts.end(), rng);
    std::stable_sort(hosts.begin(), hosts.end(),
                     [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
    return hosts;
}

} // namespace mailpush::dns
