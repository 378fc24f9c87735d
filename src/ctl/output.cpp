#include "output.hpp"

#include <algorithm>
#include <functional>
#include <iomanip>
#include <iostream>

namespace mailpush::ctl {
namespace {
using nlohmann::json;

// A value as table text; a list of recipients shows their addresses.
std::string cell(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string s;
        for (const auto& e : v)
            s += (s.empty() ? "" : ",") +
                 (e.is_object() && e.contains("address") ? cell(e["address"]) : cell(e));
        return s;
    }
    if (v.is_null()) return "";
    return v.dump();
}

// Column widths that fit `rows` (and the headers).
std::vector<std::size_t> widths(const json& rows, const std::vector<std::string>& cols) {
    std::vector<std::size_t> width(cols.size());
    for (std::size_t i = 0; i < cols.size(); ++i)
        width[i] = cols[i].size();
    for (const auto& r : rows)
        for (std::size_t i = 0; i < cols.size(); ++i)
            width[i] = std::max(width[i], cell(r.value(cols[i], json())).size());
    return width;
}

void print_line(const std::vector<std::size_t>& width, const std::function<std::string(std::size_t)>& get) {
    for (std::size_t i = 0; i < width.size(); ++i)
        std::cout << std::left << std::setw(static_cast<int>(width[i] + 2)) << get(i);
    std::cout << "\n";
}

void print_header(const std::vector<std::size_t>& width, const std::vector<std::string>& cols) {
    print_line(width, [&](std::size_t i) {
        std::string h = cols[i];
        for (auto& c : h)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return h;
    });
}

void print_rows(const json& rows, const std::vector<std::size_t>& width,
                const std::vector<std::string>& cols) {
    for (const auto& r : rows)
        print_line(width, [&](std::size_t i) { return cell(r.value(cols[i], json())); });
}

void print_table(const json& data, const std::vector<std::string>& cols) {
    const json rows = data.is_array() ? data : json::array({data});
    const auto width = widths(rows, cols);
    print_header(width, cols);
    print_rows(rows, width, cols);
}

// A refused request: its message on stderr (the body too with --json); exit code 1.
int print_refusal(const HttpResult& res, const json& data, bool as_json) {
    if (as_json) std::cout << res.body << "\n";
    const std::string msg = !data.is_discarded() && data.contains("error")
                                ? data["error"].value("message", res.body)
                                : "HTTP " + std::to_string(res.status);
    std::cerr << "mailpushctl: " << msg << "\n";
    return 1;
}
} // namespace

int print_reply(const Call& call, const HttpResult& res, bool as_json) {
    if (call.raw && res.status < 400) {
        std::cout << res.body;
        return 0;
    }
    const json data = json::parse(res.body, nullptr, false);
    if (res.status >= 400 || data.is_discarded()) return print_refusal(res, data, as_json);
    if (as_json) {
        std::cout << data.dump(2) << "\n";
    } else if (call.columns.empty()) { // a list of lines (event strings)
        for (const auto& line : data)
            std::cout << line.get<std::string>() << "\n";
    } else {
        if (!call.rows_key.empty()) { // a summary line of the reply's other members, then the rows
            std::string summary;
            for (const auto& [k, v] : data.items())
                if (k != call.rows_key && !v.is_array() && !v.is_object())
                    summary += (summary.empty() ? "" : "  ") + k + "=" + cell(v);
            if (!summary.empty()) std::cout << summary << "\n";
        }
        print_table(call.rows_key.empty() ? data : data.value(call.rows_key, json::array()), call.columns);
    }
    return 0;
}

int print_pages(const Call& call, const std::function<HttpResult(const std::string&)>& fetch, bool as_json) {
    constexpr std::size_t kMaxPages = 1'000'000; // a bound on the loop; each page moves the cursor on
    std::string cursor;
    std::size_t printed = 0;
    std::vector<std::size_t> width; // the first page's: the header is printed once
    // With --json the array opens with the first page and closes only after the last: a listing
    // cut short by an error is left unclosed (incomplete to any JSON reader), exit code 1.
    bool opened = false;
    for (std::size_t n = 0; n < kMaxPages; ++n) {
        std::string target = call.target;
        if (!cursor.empty())
            target += std::string(target.find('?') == std::string::npos ? "?" : "&") + "cursor=" + cursor;
        const auto want = call.max_rows > 0 ? std::min<std::size_t>(call.max_rows - printed, 1000) : 1000;
        target +=
            std::string(target.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::to_string(want);
        const auto res = fetch(target);
        const json data = json::parse(res.body, nullptr, false);
        if (res.status >= 400 || data.is_discarded() || !data.contains(call.rows_key))
            return print_refusal(res, data, as_json && !opened);
        const json& rows = data[call.rows_key];
        if (as_json && !opened) {
            std::cout << "[";
            opened = true;
        }
        if (as_json) {
            for (const auto& r : rows)
                std::cout << (printed++ > 0 ? ",\n" : "\n") << r.dump(2);
        } else {
            if (width.empty()) {
                width = widths(rows, call.columns);
                print_header(width, call.columns);
            }
            print_rows(rows, width, call.columns);
            printed += rows.size();
        }
        std::cout.flush();
        const auto next = data.value("next_cursor", std::string());
        if (next.empty() || (call.max_rows > 0 && printed >= call.max_rows)) break;
        if (next == cursor) throw std::runtime_error("the server repeated the cursor " + next);
        cursor = next;
    }
    if (as_json) std::cout << (printed > 0 ? "\n]\n" : "]\n");
    return 0; // (the loop's bound is never reached: every page moves the cursor on)
}

} // namespace mailpush::ctl
