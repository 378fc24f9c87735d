// Reads the DATA phase (RFC 5321 §4.1.1.4, §4.5.2): finds the end, removes dot-stuffing, counts size.
// Handles untrusted input. Only <CRLF>.<CRLF> ends the data; a bare CR or LF anywhere marks the
// message as rejected but never ends it early (the SMTP-smuggling class of bug).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailpush::smtp {

class DataReader {
public:
    explicit DataReader(std::size_t max_bytes);

    // Consumes bytes up to and including the terminating ".\r\n"; returns how many were used.
    std::size_t consume(std::string_view input);

    bool done() const noexcept { return state_ == State::done; }
    bool too_big() const noexcept { return too_big_; }
    bool bare_newline() const noexcept { return bare_newline_; }
    std::size_t size() const noexcept { return size_; } // unstuffed bytes seen, even past the limit

    // The message, each line ending in CRLF, dot-stuffing removed. Empty once too_big(). After
    // take_chunk(), only what came since the last chunk.
    std::string take_body() { return std::move(body_); }

    // Bytes of the message held here (not yet taken as a chunk).
    std::size_t held() const noexcept { return body_.size(); }
    // Hands over what is held so far, to be written to the spool's file: a large message is
    // never whole in memory. The message's header section is kept (from every chunk until its
    // blank line, and from the rest at the end), for the checks made on its headers.
    std::string take_chunk();
    bool chunked() const noexcept { return chunked_; }
    // The header section of a chunked message, its blank line included, once done().
    const std::string& head() const noexcept { return head_; }
    // A chunked message whose header section is longer than kHeadBytes (refused, as a submitted
    // message kept whole with such a header section is).
    bool head_too_long() const noexcept { return head_too_long_; }
    static constexpr std::size_t kHeadBytes = 64 * 1024;

    // Keeps no more of the message (the server has no room for it): it is read to its end, then
    // refused.
    void abandon();
    bool abandoned() const noexcept { return abandoned_; }

private:
    enum class State { line_start, dot, dot_cr, mid, cr, done };
    void emit(char c);
    void emit(std::string_view s);
    void extend_head(std::string_view more); // while the header section is open

    std::size_t max_bytes_;
    std::size_t size_ = 0;
    State state_ = State::line_start;
    bool too_big_ = false;
    bool bare_newline_ = false;
    bool chunked_ = false;
    bool head_open_ = true; // the header section's end not seen yet
    bool head_too_long_ = false;
    bool abandoned_ = false;
    std::string body_;
    std::string head_;
};

} // namespace mailpush::smtp
