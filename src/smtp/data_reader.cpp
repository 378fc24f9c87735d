#include "mailpush/smtp/data_reader.hpp"

#include <algorithm>

namespace mailpush::smtp {

DataReader::DataReader(std::size_t max_bytes)
    : max_bytes_(max_bytes) {}

void DataReader::emit(char c) {
    emit(std::string_view(&c, 1));
}

// The blank line may start in an earlier chunk: the search begins up to 3 bytes back. A message
// that starts with its blank line has an empty header section.
void DataReader::extend_head(std::string_view more) {
    if (!head_open_ || head_too_long_) return;
    if (head_.empty() && more.starts_with("\r\n")) {
        head_ = "\r\n";
        head_open_ = false;
        return;
    }
    const std::size_t back = std::min<std::size_t>(head_.size(), 3);
    const std::size_t old = head_.size();
    head_.append(more.substr(0, kHeadBytes + 4 - std::min(old, kHeadBytes + 4)));
    const auto end = std::string_view(head_).find("\r\n\r\n", old - back);
    if (end != std::string_view::npos) {
        head_.resize(end + 4);
        head_open_ = false;
    } else if (head_.size() > kHeadBytes) {
        head_too_long_ = true;
        std::string().swap(head_);
    }
}

std::string DataReader::take_chunk() {
    chunked_ = true;
    extend_head(body_);
    std::string chunk = std::move(body_);
    body_.clear();
    return chunk;
}

void DataReader::abandon() {
    abandoned_ = true;
    std::string().swap(body_);
}

void DataReader::emit(std::string_view s) {
    size_ += s.size();
    if (too_big_ || abandoned_) return;
    if (size_ > max_bytes_) {
        too_big_ = true;
        std::string().swap(body_); // free the memory; we only keep scanning for the end
        return;
    }
    body_.append(s);
}

std::size_t DataReader::consume(std::string_view in) {
    std::size_t i = 0;
    while (i < in.size() && state_ != State::done) {
        if (state_ == State::mid) {
            // Fast path: copy a run of ordinary bytes at once.
            const char* start = in.data() + i;
            std::size_t n = 0;
            while (i + n < in.size() && start[n] != '\r' && start[n] != '\n')
                ++n;
            if (n > 0) {
                emit(std::string_view(start, n));
                i += n;
                continue;
            }
        }
        const char c = in[i++];
        switch (state_) {
        case State::line_start:
            if (c == '.') {
                state_ = State::dot;
                break;
            }
            state_ = State::mid;
            --i; // re-read as an ordinary byte
            break;
        case State::dot:
            if (c == '\r') {
                state_ = State::dot_cr;
                break;
            }
            state_ = State::mid; // dot-stuffed line: the leading dot is dropped
            --i;
            break;
        case State::dot_cr:
            if (c == '\n') {
                state_ = State::done;
                if (chunked_) extend_head(body_); // the rest may end the header section
                break;
            }
            bare_newline_ = true; // ".\r" followed by something else
            emit('\r');
            state_ = State::mid;
            --i;
            break;
        case State::mid:
            if (c == '\r') {
                state_ = State::cr;
            } else { // '\n' without '\r'
                bare_newline_ = true;
                emit('\n');
                state_ = State::mid; // not a line start: only CRLF starts a line
            }
            break;
        case State::cr:
            if (c == '\n') {
                emit("\r\n");
                state_ = State::line_start;
            } else {
                bare_newline_ = true;
                emit('\r');
                state_ = State::mid;
                --i;
            }
            break;
        case State::done:
            break;
        }
    }
    return i;
}

} // namespace mailpush::smtp
