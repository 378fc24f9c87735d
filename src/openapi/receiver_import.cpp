// A recipient list's upload: the file parsed, its good rows stored, every refusal by file line.
#include "mailpush/openapi/receiver_upload.hpp"
#include "mailpush/store/store.hpp"

#include <algorithm>

namespace mailpush::openapi {

ImportOutcome import_receivers(store::Store& store, const std::string& account, const std::string& list,
                               std::string_view text) {
    store.get_receiver_list(account, list); // not_found before parsing
    const auto parsed = parse_receiver_upload(text, store.limits().max_receivers_per_list);
    const auto report = store.add_receivers(account, list, parsed.rows);
    ImportOutcome out;
    out.rows = parsed.rows.size() + parsed.errors.size();
    out.added = report.added;
    out.updated = report.updated;
    out.errors = parsed.errors;
    for (auto e : report.errors) { // the store counts stored rows; report the upload's line
        e.line = parsed.lines.at(e.line - 1);
        out.errors.push_back(std::move(e));
    }
    std::stable_sort(out.errors.begin(), out.errors.end(),
                     [](const store::RowError& a, const store::RowError& b) { return a.line < b.line; });
    return out;
}

} // namespace mailpush::openapi
