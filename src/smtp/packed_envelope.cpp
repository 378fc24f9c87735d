#include "mailpush/smtp/packed_envelope.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

namespace mailpush::smtp {

PackedEnvelope::PackedEnvelope(const Envelope& e, std::string_view peer)
    : recipients_(static_cast<std::uint32_t>(e.recipients.size()))
    , declared_size_(e.declared_size)
    , smtputf8_(e.smtputf8)
    , tls_(e.tls)
    , track_opens_(e.track_opens)
    , track_links_(e.track_links) {
    const bool dsn = std::any_of(e.recipients.begin(), e.recipients.end(),
                                 [](const Recipient& r) { return !r.notify.empty() || !r.orcpt.empty(); });
    rcpt_fields_ = dsn ? 3 : 1;
    std::vector<std::string_view> fields{e.mail_from, e.auth_user, e.body_type,   e.ret,
                                         e.dsn_envid, e.helo,      e.unsubscribe, peer};
    for (const auto& r : e.recipients) {
        fields.push_back(r.address);
        if (dsn) {
            fields.push_back(r.notify);
            fields.push_back(r.orcpt);
        }
    }
    std::size_t chars = 0;
    for (const auto f : fields)
        chars += f.size();
    const std::size_t table = fields.size() * sizeof(std::uint32_t);
    if (chars + table > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("envelope too large to pack");
    heap_bytes_ = static_cast<std::uint32_t>(table + chars);
    data_ = std::make_unique_for_overwrite<char[]>(heap_bytes_);
    std::uint32_t end = 0;
    char* text = data_.get() + table;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!fields[i].empty())
            std::memcpy(text + end, fields[i].data(), fields[i].size()); // an empty view may be null
        end += static_cast<std::uint32_t>(fields[i].size());
        std::memcpy(data_.get() + i * sizeof end, &end, sizeof end);
    }
}

std::string_view PackedEnvelope::field(std::size_t n) const {
    const auto at = [&](std::size_t k) {
        std::uint32_t v = 0;
        std::memcpy(&v, data_.get() + k * sizeof v, sizeof v);
        return v;
    };
    const std::size_t table =
        (kFixedFields + std::size_t{recipients_} * rcpt_fields_) * sizeof(std::uint32_t);
    const std::uint32_t begin = n == 0 ? 0 : at(n - 1);
    return {data_.get() + table + begin, at(n) - begin};
}

Envelope PackedEnvelope::unpack() const {
    Envelope e;
    e.mail_from = mail_from();
    e.auth_user = auth_user();
    e.body_type = body_type();
    e.ret = ret();
    e.dsn_envid = dsn_envid();
    e.helo = helo();
    e.unsubscribe = unsubscribe();
    e.smtputf8 = smtputf8_;
    e.tls = tls_;
    e.track_opens = track_opens_;
    e.track_links = track_links_;
    e.declared_size = declared_size_;
    e.recipients.reserve(recipients_);
    for (std::size_t i = 0; i < recipients_; ++i)
        e.recipients.push_back({std::string(address(i)), std::string(notify(i)), std::string(orcpt(i))});
    return e;
}

} // namespace mailpush::smtp
