// An Envelope and the peer it came from, packed into one allocation: the queue index and the
// delivery engine share one of these per queued message (docs/queue-format.md, "The index in
// memory"), so a million queued recipients cost their addresses once. Immutable once made; the
// strings it returns are views into it, valid while it lives. Plain data, no I/O.
#pragma once

#include "mailpush/smtp/envelope.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace mailpush::smtp {

class PackedEnvelope {
public:
    explicit PackedEnvelope(const Envelope& envelope, std::string_view peer = {});
    Envelope unpack() const;

    std::string_view mail_from() const { return field(kMailFrom); }
    std::string_view auth_user() const { return field(kAuthUser); }
    std::string_view body_type() const { return field(kBodyType); }
    bool eight_bit() const { return body_type() == "8BITMIME"; }
    std::string_view ret() const { return field(kRet); }
    std::string_view dsn_envid() const { return field(kDsnEnvid); }
    std::string_view helo() const { return field(kHelo); }
    bool via_api() const { return helo() == kApiHelo; }
    std::string_view unsubscribe() const { return field(kUnsubscribe); }
    std::string_view peer() const { return field(kPeer); }
    bool smtputf8() const { return smtputf8_; }
    bool tls() const { return tls_; }
    bool track_opens() const { return track_opens_; }
    bool track_links() const { return track_links_; }
    std::uint64_t declared_size() const { return declared_size_; }
    // Each recipient gets a body of its own (List-Unsubscribe lines, tracking links).
    bool per_recipient() const { return !unsubscribe().empty() || track_opens_ || track_links_; }

    std::size_t recipient_count() const { return recipients_; }
    std::string_view address(std::size_t i) const { return field(kFixedFields + i * rcpt_fields_); }
    std::string_view notify(std::size_t i) const {
        return rcpt_fields_ > 1 ? field(kFixedFields + i * 3 + 1) : "";
    }
    std::string_view orcpt(std::size_t i) const {
        return rcpt_fields_ > 1 ? field(kFixedFields + i * 3 + 2) : "";
    }

    // Heap bytes held (the allocation of the fields; not this object itself).
    std::size_t heap_bytes() const { return heap_bytes_; }

private:
    enum : std::size_t {
        kMailFrom,
        kAuthUser,
        kBodyType,
        kRet,
        kDsnEnvid,
        kHelo,
        kUnsubscribe,
        kPeer,
        kFixedFields
    };
    std::string_view field(std::size_t n) const;

    // The fields' end offsets (uint32 each, unaligned), then their characters.
    std::unique_ptr<char[]> data_;
    std::uint32_t heap_bytes_ = 0;
    std::uint32_t recipients_ = 0;
    std::uint64_t declared_size_ = 0;
    std::uint8_t rcpt_fields_ = 1; // 3 when a recipient has NOTIFY or ORCPT
    bool smtputf8_ = false, tls_ = false, track_opens_ = false, track_links_ = false;
};

} // namespace mailpush::smtp
