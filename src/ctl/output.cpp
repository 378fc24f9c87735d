#include "output.hpp"

#include <algorithm>
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

void print_table(const json& data, const std::vector<std::string>& cols) {
    const json rows = data.is_array() ? data : json::array({data});
    std::vector<std::size_t> width(cols.size());
    for (std::size_t i = 0; i < cols.size(); ++i)
        width[i] = cols[i].size();
    for (const auto& r : rows)
        for (std::size_t i = 0; i < cols.size(); ++i)
            width[i] = std::max(width[i], cell(r.value(cols[i], json())).size());
    auto line = [&](auto get) {
        for (std::size_t i = 0; i < cols.size(); ++i)
            std::cout << std::left << std::setw(static_cast<int>(width[i] + 2)) << get(i);
        std::cout << "\n";
    };
    line([&](std::size_t i) {
        std::string h = cols[i];
        for (auto& c : h)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return h;
    });
    for (const auto& r : rows)
        line([&](std::size_t i) { return cell(r.value(cols[i], json())); });
}

} // namespace

int print_reply(const Call& call, const HttpResult& res, bool as_json) {
    if (call.raw && res.status < 400) {
        std::cout << res.body;
        return 0;
    }
    const json data = json::parse(res.body, nullptr, false);
    if (res.status >= 400 || data.is_discarded()) {
        if (as_json) std::cout << res.body << "\n";
        const std::string msg = !data.is_discarded() && data.contains("error")
                                    ? data["error"].value("message", res.body)
                                    : "HTTP " + std::to_string(res.status);
        std::cerr << "mailpushctl: " << msg << "\n";
        return 1;
    }
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

} // namespace mailpush::ctl
