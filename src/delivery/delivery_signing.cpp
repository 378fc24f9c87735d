#include "mailpush/engine/delivery_signing.hpp"

#include "mailpush/common/metrics.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/address_list.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/smtp/seven_bit.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace mailpush::delivery {

std::string signing_domain(std::string_view message, const std::string& mail_from,
                           const std::function<bool(const std::string&)>& owns) {
    if (const auto from = smtp::find_header(message, "From")) {
        if (const auto list = smtp::parse_address_list(*from); list && list->size() == 1) {
            const auto domain = common::to_lower(smtp::split_address(list->front()).second);
            if (!domain.empty() && owns(domain)) return domain;
        }
    }
    return common::to_lower(smtp::split_address(mail_from).second);
}

std::string signature_fields(std::string_view message, const std::vector<dkim::SigningKey>& keys,
                             std::int64_t now_s) {
    if (keys.empty()) return {};
    try {
        dkim::SignOptions options;
        options.timestamp = now_s;
        return dkim::sign(message, keys, options);
    } catch (const std::exception& e) {
        spdlog::error("dkim.sign_failed domain={} error=\"{}\"", keys.front().domain, e.what());
        return {};
    }
}

namespace {
void count_signing(const char* result) {
    metrics::registry()
        .counter("mailpush_dkim_signings_total",
                 "Messages given DKIM signatures at delivery: made, or reused from a job with the same bytes",
                 {{"result", result}})
        .add();
}

// What identifies the bytes a job signs: the spooled message, the form (as accepted or 7-bit)
// and the keys. "" (not cached) for a job with its recipient's own unsubscribe lines or tracked
// copy: no other job has its bytes.
std::string cache_key(const AttemptJob& job, const std::vector<dkim::SigningKey>& keys, const char* form) {
    if (!job.unsubscribe_lines.empty() || job.tracked) return {};
    std::string key = std::to_string(job.envid) + '\n' + form + '\n';
    for (const auto& k : keys)
        key += k.domain + '/' + k.selector + '\n';
    return key;
}

std::string cached_signatures(SignatureCache& cache, const std::string& key, std::string_view message,
                              const std::vector<dkim::SigningKey>& keys, std::int64_t now_s) {
    if (key.empty()) {
        count_signing("made");
        return signature_fields(message, keys, now_s);
    }
    bool made = false;
    auto fields = cache.get_or_make(key, now_s, [&] {
        made = true;
        return signature_fields(message, keys, now_s);
    });
    count_signing(made ? "made" : "reused");
    return fields;
}
} // namespace

void sign_for_delivery(AttemptJob& job, const Accounts& accounts, const std::string& account,
                       std::int64_t now_s, const std::shared_ptr<SignatureCache>& cache) {
    const auto domain = signing_domain(job.message.body, job.message.mail_from, [&](const std::string& d) {
        return accounts.signing_keys(account, d) != nullptr;
    });
    const auto keys = accounts.signing_keys(account, domain);
    if (!keys || keys->empty()) return;
    const auto fields =
        cached_signatures(*cache, cache_key(job, *keys, "as-accepted"), job.message.body, *keys, now_s);
    job.signature_bytes = fields.size();
    job.message.body.insert(0, fields);
    job.resign = [keys, now_s, cache, key = cache_key(job, *keys, "7bit")](std::string message) {
        return cached_signatures(*cache, key, message, *keys, now_s) + message;
    };
}

const smtp::OutboundMessage& outbound_for(AttemptJob& job, bool receiver_8bitmime) {
    // Our envid as the DSN envelope id (ENVID/ORCPT to receivers that offer DSN: docs/inbound.md).
    if (job.message.envid.empty()) job.message.envid = std::to_string(job.envid);
    if (receiver_8bitmime) return job.message;
    if (!job.seven_bit) {
        const std::string_view unsigned_body = std::string_view(job.message.body).substr(job.signature_bytes);
        const auto sep = unsigned_body.find("\r\n\r\n");
        const bool eight_bit =
            sep != std::string_view::npos && smtp::has_eight_bit(unsigned_body.substr(sep + 4));
        if (!eight_bit) return job.message;
        auto m = job.message;
        m.body = smtp::to_seven_bit(unsigned_body);
        if (job.resign) m.body = job.resign(std::move(m.body));
        m.eight_bit = false;
        job.seven_bit = std::move(m);
    }
    return *job.seven_bit;
}

} // namespace mailpush::delivery
