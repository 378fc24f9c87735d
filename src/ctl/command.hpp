// mailpushctl's command table: each row is {command words, usage, the HTTP call it makes and how
// its reply prints}. One file of rows per resource group (commands_*.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mailpush::ctl {

// A wrong command line: the message, then the usage, exit 2.
struct UsageError {
    std::string message;
};

// One request to the admin API and how its reply prints.
struct Call {
    std::string method, target;
    nlohmann::json body;
    std::vector<std::string> columns; // table columns for people; none: the reply is a list of lines
    std::string rows_key = "";        // the table is this member of the reply, not the reply
    bool raw = false;                 // print the reply's body as it is (a CSV export)
    // A paged listing: the reply's `rows_key` holds one page; the request is repeated with
    // cursor=<next_cursor> until that is empty, each page printed as it arrives (at most
    // `max_rows` rows in all when that is not 0).
    bool paged = false;
    std::size_t max_rows = 0;
};

struct Command;

// A command line matched to a row.
struct Invocation {
    const Command& command;
    std::vector<std::string> args;           // positional, after the command words
    std::map<std::string, std::string> opts; // --name value, or "1" for a switch

    const std::string& arg(std::size_t i) const { return args.at(i); }
    std::string encoded(std::size_t i) const; // arg(i) percent-encoded for a path or query
    bool has(const std::string& name) const { return opts.count(name) != 0; }
    std::string opt(const std::string& name, const std::string& fallback = "") const;
    std::optional<std::int64_t> number(const std::string& name) const; // a whole number, or UsageError
    // "?account=A" when the first argument is given (the list commands' optional ACCOUNT).
    std::string account_filter() const;
};

struct Command {
    std::vector<std::string> words; // "account", "add"
    // What follows the words in the usage. The words before the first "[" or "--" are the
    // required positional arguments: "ACCOUNT NAME [--description TEXT]" needs two.
    std::string usage;
    Call (*build)(const Invocation&);

    std::size_t required_args() const;
};

// The rows, one list per resource group.
std::span<const Command> account_commands(); // account, ip-protection, accesskey
std::span<const Command> sender_commands();  // domain, address
std::span<const Command> queue_commands();   // queue, events
std::span<const Command> invalid_commands(); // invalid
std::span<const Command> content_commands(); // tag, list, template, task
std::span<const Command> report_commands();  // stats, details
std::span<const Command> notify_commands();  // notify
// suppression
std::span<const Command> suppression_commands();
std::span<const Command> traffic_commands();  // account traffic, blocks
std::span<const Command> tracking_commands(); // tracking keys

// The row for a command line (the longest run of command words), and its arguments; UsageError
// when none fits.
Invocation find_command(const std::vector<std::string>& args, const std::map<std::string, std::string>& opts);

// The usage text, a line per row.
std::string usage_text();

} // namespace mailpush::ctl
