// Recipient list uploads (SPEC §6): CSV (RFC 4180 quoting) or TXT, one recipient per line.
// A first line naming the columns (EAddr, UserName, NickName, Gender, Birthday, Mobile, in any
// order) sets the order; without it the columns are in that order. Pure; untrusted input.
#pragma once

#include "mailpush/store/records.hpp"

#include <string_view>
#include <vector>

namespace mailpush::openapi {

struct ParsedUpload {
    std::vector<store::ReceiverRow> rows;
    std::vector<std::size_t> lines; // the upload line of each row (1-based), for the report
    std::vector<store::RowError> errors;
};

// Rows past `max_rows` are reported as errors, not parsed.
ParsedUpload parse_receiver_upload(std::string_view text, std::size_t max_rows);

} // namespace mailpush::openapi
