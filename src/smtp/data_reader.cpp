#include "mailpush/smtp/data_reader.hpp"

namespace mailpush::smtp {

DataReader::DataReader(std::size_t max_bytes)
    : max_bytes_(max_bytes) {}

void DataReader::emit(char c) {
    emit(std::string_view(&c, 1));
}

std::string DataReader::take_chunk() {
    if (!chunked_) {
        chunked_ = true;
        const auto prefix = std::string_view(body_).substr(0, kHeadBytes);
        const auto end = prefix.find("\r\n\r\n");
        head_ = prefix.substr(0, end == std::string_view::npos ? prefix.size() : end + 4);
    }
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
