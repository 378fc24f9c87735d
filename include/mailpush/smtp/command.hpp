// SMTP command-line parsing (RFC 5321 §4.1, RFC 1869 parameters). Pure functions.
// Handles untrusted input: every function bounds its work by the input length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::smtp {

enum class Verb {
    helo,
    ehlo,
    mail,
    rcpt,
    data,
    rset,
    noop,
    quit,
    vrfy,
    expn,
    help,
    auth,
    starttls,
    bdat,
    unknown
};

struct Command {
    Verb verb = Verb::unknown;
    std::string_view args; // everything after the verb, blanks trimmed
};

Command parse_command(std::string_view line) noexcept;

struct EsmtpParam {
    std::string keyword; // upper-cased
    std::optional<std::string> value;
};

// "FROM:<a@b> SIZE=10" (for MAIL) or "TO:<a@b> NOTIFY=NEVER" (for RCPT).
struct PathArgument {
    std::string address; // without the angle brackets; empty for the null path <>
    std::vector<EsmtpParam> params;
};

enum class PathError { syntax, bad_address, bad_param };

struct PathResult {
    std::optional<PathArgument> value;
    PathError error = PathError::syntax;
};

// `keyword` is "FROM" or "TO". Accepts "FROM:<a>" and the common "FROM: <a>".
PathResult parse_path_argument(std::string_view args, std::string_view keyword);

// RFC 5321 §4.1.2 Mailbox (dot-atom or quoted local part, domain or address literal),
// with RFC 6531 UTF-8 (well-formed only) allowed when `utf8` is set. Enforces the §4.5.3.1
// length limits.
bool is_valid_mailbox(std::string_view address, bool utf8) noexcept;
bool is_ascii(std::string_view s) noexcept;

// Splits "local@domain" at the last '@'.
std::pair<std::string_view, std::string_view> split_address(std::string_view address) noexcept;

// Local part exact, domain case-insensitive (the sender must equal the authenticated address).
bool same_mailbox(std::string_view a, std::string_view b) noexcept;

// Canonical key for a mailbox: local part as is, domain lower-cased.
std::string mailbox_key(std::string_view address);

// RFC 3461 xtext: printable ASCII except '+', '=', with "+XX" hex escapes.
bool is_valid_xtext(std::string_view s) noexcept;

} // namespace mailpush::smtp
