#include "mailpush/openapi/receiver_upload.hpp"

#include "mailpush/common/strings.hpp"

#include <array>
#include <optional>

namespace mailpush::openapi {
namespace {
enum Column { kEAddr, kUserName, kNickName, kGender, kBirthday, kMobile, kColumns };
constexpr std::array<std::string_view, kColumns> kNames{"EAddr",  "UserName", "NickName",
                                                        "Gender", "Birthday", "Mobile"};

// The column a header field names: "EAddr", "{EAddr}", "地址{EAddr}" or the console's caption
// ("收件人邮箱" ...); -1 if none.
int column_of(const std::string& field) {
    static constexpr std::array<std::string_view, kColumns> kCaptions{
        "收件人邮箱", "收件人姓名", "收件人昵称", "收件人称呼", "收件人生日", "收件人电话"};
    const std::string lower = common::to_lower(field);
    for (int c = 0; c < kColumns; ++c) {
        const auto i = static_cast<std::size_t>(c);
        if (lower == common::to_lower(kNames[i]) ||
            lower.find("{" + common::to_lower(kNames[i]) + "}") != std::string::npos || field == kCaptions[i])
            return c;
    }
    return -1;
}

bool is_header(const std::vector<std::string>& fields) {
    bool names_a_column = false;
    for (const auto& f : fields) {
        if (f.find('@') != std::string::npos) return false;
        if (column_of(f) >= 0) names_a_column = true;
    }
    return names_a_column;
}

// Splits one line into fields; nullopt if a quoted field is not closed properly.
std::optional<std::vector<std::string>> split_fields(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"' && common::trim(fields.back()).empty() && !was_quoted) {
            fields.back().clear();
            quoted = was_quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
            was_quoted = false;
        } else if (was_quoted && c != ' ' && c != '\t') {
            return std::nullopt; // text after a closing quote
        } else {
            fields.back() += c;
        }
    }
    if (quoted) return std::nullopt;
    for (auto& f : fields)
        f = std::string(common::trim(f));
    return fields;
}
} // namespace

ParsedUpload parse_receiver_upload(std::string_view text, std::size_t max_rows) {
    ParsedUpload out;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3); // UTF-8 byte order mark
    std::array<int, kColumns> order{kEAddr, kUserName, kNickName, kGender, kBirthday, kMobile};
    std::size_t columns = kColumns;
    std::size_t line_no = 0, start = 0;
    bool first = true;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (common::trim(line).empty()) continue;
        auto fields = split_fields(line);
        if (!fields) {
            out.errors.push_back({line_no, std::string(line.substr(0, 100)), "unbalanced quotes"});
            first = false;
            continue;
        }
        // Header lines (only before the first row): no address in them, and at least one field
        // names a column. Several are allowed (the console's file has a caption line and a
        // variable line); the last one sets the order.
        if (first && is_header(*fields)) {
            columns = fields->size();
            std::string problem;
            for (std::size_t i = 0; i < fields->size() && i < kColumns; ++i) {
                order[i] = column_of((*fields)[i]);
                if (order[i] < 0) problem = "unknown column \"" + (*fields)[i] + "\"";
            }
            if (fields->size() > kColumns) problem = "more than 6 columns";
            if (!problem.empty()) {
                out.errors.push_back({line_no, "", problem});
                return out; // the header is unusable: nothing else can be read correctly
            }
            continue;
        }
        first = false;
        if (out.rows.size() >= max_rows) {
            out.errors.push_back({line_no, (*fields)[0], "more than " + std::to_string(max_rows) + " rows"});
            continue;
        }
        if (fields->size() > columns) {
            out.errors.push_back({line_no, (*fields)[0], "more columns than the header names"});
            continue;
        }
        store::ReceiverRow row;
        std::string* slots[kColumns] = {&row.email,  &row.user_name, &row.nick_name,
                                        &row.gender, &row.birthday,  &row.mobile};
        for (std::size_t i = 0; i < fields->size(); ++i)
            if (order[i] >= 0) *slots[order[i]] = (*fields)[i];
        out.rows.push_back(std::move(row));
        out.lines.push_back(line_no);
    }
    return out;
}

} // namespace mailpush::openapi
