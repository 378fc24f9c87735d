// Matching a command line to a row of the table, and the usage built from the rows.
#include "command.hpp"
#include "http_client.hpp"

#include <sstream>
#include <stdexcept>

namespace mailpush::ctl {
namespace {

std::vector<std::span<const Command>> groups() {
    return {account_commands(), sender_commands(),  queue_commands(),  invalid_commands(),
            content_commands(), report_commands(),  notify_commands(), suppression_commands(),
            traffic_commands(), tracking_commands()};
}

bool starts_with_words(const std::vector<std::string>& args, const std::vector<std::string>& words) {
    if (args.size() < words.size()) return false;
    for (std::size_t i = 0; i < words.size(); ++i)
        if (args[i] != words[i]) return false;
    return true;
}

} // namespace

std::string Invocation::encoded(std::size_t i) const {
    return url_encode(arg(i));
}

std::string Invocation::opt(const std::string& name, const std::string& fallback) const {
    const auto it = opts.find(name);
    return it == opts.end() ? fallback : it->second;
}

std::optional<std::int64_t> Invocation::number(const std::string& name) const {
    if (!has(name)) return std::nullopt;
    const auto& text = opts.at(name);
    try {
        std::size_t used = 0;
        const auto v = std::stoll(text, &used);
        if (used != text.size() || v < 0) throw std::invalid_argument(name);
        return v;
    } catch (const std::exception&) {
        throw UsageError{"--" + name + " needs a whole number"};
    }
}

std::string Invocation::account_filter() const {
    return args.empty() ? std::string() : "?account=" + encoded(0);
}

std::size_t Command::required_args() const {
    std::istringstream tokens(usage);
    std::size_t n = 0;
    // The words before the first option: "[…]", "--…" or a choice of options "(--a N | --b M)".
    for (std::string w; tokens >> w && w[0] != '[' && w[0] != '-' && w[0] != '(';)
        ++n;
    return n;
}

Invocation find_command(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& opts) {
    const Command* best = nullptr;
    for (const auto& group : groups())
        for (const auto& c : group)
            if (starts_with_words(args, c.words) && (!best || c.words.size() > best->words.size())) best = &c;
    if (!best) {
        if (args.size() < 2) throw UsageError{"missing arguments"};
        throw UsageError{"unknown command: " + args[0] + " " + args[1]};
    }
    Invocation in{*best, {args.begin() + static_cast<std::ptrdiff_t>(best->words.size()), args.end()}, opts};
    if (in.args.size() < best->required_args()) throw UsageError{"missing arguments"};
    return in;
}

std::string usage_text() {
    std::string text = "usage: mailpushctl [--config FILE | --url URL --token TOKEN] [--json] COMMAND\n"
                       "       mailpushctl --version\n";
    for (const auto& group : groups())
        for (const auto& c : group) {
            std::string line = " ";
            for (const auto& w : c.words)
                line += " " + w;
            text += line + (c.usage.empty() ? "" : " " + c.usage) + "\n";
        }
    return text + "--config defaults to $MAILPUSH_CONFIG, then /etc/mailpush/mailpushd.toml.\n";
}

} // namespace mailpush::ctl
