// Address-list parsing: a tokenizer (comments and blanks dropped) and one pass that splits the
// tokens into mailboxes. Handles untrusted input.
#include "mailpush/smtp/address_list.hpp"

#include "mailpush/smtp/command.hpp"

namespace mailpush::smtp {
namespace {

struct Token {
    enum class Kind { word, special } kind;
    std::string text; // a word: an atom, a quoted string (quotes kept) or a domain literal
};

constexpr std::string_view kSpecials = ",:;<>@.";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Skips a comment starting at s[i] == '('; false if it never ends.
bool skip_comment(std::string_view s, std::size_t& i) {
    unsigned depth = 0;
    for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '(') {
            ++depth;
        } else if (s[i] == ')' && --depth == 0) {
            ++i;
            return true;
        }
    }
    return false;
}

// Reads up to the closing `close` (a quoted string's '"' or a domain literal's ']'), escapes
// honoured; the token keeps both delimiters.
std::optional<std::string> read_delimited(std::string_view s, std::size_t& i, char close) {
    const auto start = i++;
    for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == close) {
            ++i;
            return std::string(s.substr(start, i - start));
        }
    }
    return std::nullopt;
}

std::optional<std::vector<Token>> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (is_blank(c)) {
            ++i;
        } else if (c == '(') {
            if (!skip_comment(s, i)) return std::nullopt;
        } else if (c == ')' || c == '\\' || c == ']' || static_cast<unsigned char>(c) < 0x20) {
            return std::nullopt;
        } else if (c == '"' || c == '[') {
            auto text = read_delimited(s, i, c == '"' ? '"' : ']');
            if (!text) return std::nullopt;
            out.push_back({Token::Kind::word, std::move(*text)});
        } else if (kSpecials.find(c) != std::string_view::npos) {
            out.push_back({Token::Kind::special, std::string(1, c)});
            ++i;
        } else {
            const auto start = i;
            while (i < s.size() && !is_blank(s[i]) && kSpecials.find(s[i]) == std::string_view::npos &&
                   s[i] != '(' && s[i] != ')' && s[i] != '"' && s[i] != '[' && s[i] != ']' && s[i] != '\\')
                ++i;
            out.push_back({Token::Kind::word, std::string(s.substr(start, i - start))});
        }
    }
    return out;
}

// Joins the tokens of an addr-spec (words separated by '.' and one '@'); nullopt if two words
// touch (a display name without angle brackets) or the result is no valid mailbox.
std::optional<std::string> join_addr_spec(const std::vector<Token>& tokens, std::size_t begin,
                                          std::size_t end) {
    // RFC 5322 obs-route ("@a,@b:user@c") inside angle brackets: drop the route.
    if (begin < end && tokens[begin].text == "@")
        for (std::size_t k = begin; k < end; ++k)
            if (tokens[k].text == ":") {
                begin = k + 1;
                break;
            }
    std::string out;
    bool previous_word = false;
    for (std::size_t k = begin; k < end; ++k) {
        const bool word = tokens[k].kind == Token::Kind::word;
        if (word && previous_word) return std::nullopt;
        if (!word && tokens[k].text != "." && tokens[k].text != "@") return std::nullopt;
        out += tokens[k].text;
        previous_word = word;
    }
    if (!is_valid_mailbox(out, true)) return std::nullopt;
    return out;
}

} // namespace

std::optional<std::vector<std::string>> parse_address_list(std::string_view value) {
    const auto tokens = tokenize(value);
    if (!tokens) return std::nullopt;
    std::vector<std::string> out;
    bool in_group = false;
    std::size_t start = 0; // first token of the current mailbox
    std::size_t angle_open = std::string::npos, angle_close = std::string::npos;

    // Ends the mailbox in tokens [start, end); an empty one (", ,", an empty group) is skipped.
    const auto finish = [&](std::size_t end) -> bool {
        if (angle_open != std::string::npos) {
            if (angle_close == std::string::npos || angle_close + 1 != end) return false;
            auto address = join_addr_spec(*tokens, angle_open + 1, angle_close);
            if (!address) return false;
            out.push_back(std::move(*address));
        } else if (end > start) {
            auto address = join_addr_spec(*tokens, start, end);
            if (!address) return false;
            out.push_back(std::move(*address));
        }
        start = end + 1;
        angle_open = angle_close = std::string::npos;
        return true;
    };

    for (std::size_t k = 0; k < tokens->size(); ++k) {
        const auto& t = (*tokens)[k];
        if (t.kind == Token::Kind::word) continue;
        const bool inside_angle = angle_open != std::string::npos && angle_close == std::string::npos;
        if (t.text == "<") {
            if (angle_open != std::string::npos) return std::nullopt;
            angle_open = k;
        } else if (t.text == ">") {
            if (!inside_angle) return std::nullopt;
            angle_close = k;
        } else if (inside_angle) {
            continue; // '@', '.', and a route's ',' and ':' belong to the angle address
        } else if (t.text == ",") {
            if (!finish(k)) return std::nullopt;
        } else if (t.text == ":") {
            // A group's display name ends here; its members follow up to ';'.
            if (in_group || angle_open != std::string::npos) return std::nullopt;
            in_group = true;
            start = k + 1;
        } else if (t.text == ";") {
            if (!in_group || !finish(k)) return std::nullopt;
            in_group = false;
        }
    }
    if (in_group || !finish(tokens->size())) return std::nullopt;
    return out;
}

} // namespace mailpush::smtp
