// Recipient list uploads (SPEC §6): CSV (RFC 4180 quoting) or TXT, one recipient per line.
// A first line naming the columns (EAddr, UserName, NickName, Gender, Birthday, Mobile, in any
// order) sets the order; without it the columns are in that order. The parser is pure; untrusted input.
#pragma once

#include "mailpush/store/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::store {
class Store;
}

namespace mailpush::openapi {

struct ParsedUpload {
    std::vector<store::ReceiverRow> rows;
    std::vector<std::size_t> lines; // the upload line of each row (1-based), for the report
    std::vector<store::RowError> errors;
};

// Rows past `max_rows` are reported as errors, not parsed.
ParsedUpload parse_receiver_upload(std::string_view text, std::size_t max_rows);

// What an upload did: its rows, how many were added or updated, and each refused row with its
// line of the file (parse errors and the store's refusals alike).
struct ImportOutcome {
    std::size_t rows = 0;
    std::size_t added = 0;
    std::size_t updated = 0;
    std::vector<store::RowError> errors; // line: the upload's line
};

// Parses `text` and stores its good rows in `account`'s list `list` (receiver_import.cpp; the one
// path of the admin API's upload and the UploadReceivers action). Throws StoreError(not_found)
// for an unknown list before parsing.
ImportOutcome import_receivers(store::Store& store, const std::string& account, const std::string& list,
                               std::string_view text);

} // namespace mailpush::openapi
