// /v1/invalid-addresses: the library of recipients an account no longer sends to.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::InvalidAddress& i) {
    return {
        {"account", i.account}, {"address", i.address}, {"reason", i.reason}, {"created_at", i.created_at}};
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The console's search (account, keyword, days added) and its export (`format=csv`, a file the
// user cleans their own lists with).
ApiResponse list_invalid(const AdminServices& s, const RouteCall& c) {
    const store::InvalidFilter filter{c.query_or_empty("keyword"), c.query_or_empty("from"),
                                      c.query_or_empty("to")};
    for (const auto* day : {&filter.from_day, &filter.to_day})
        if (!day->empty() && (day->size() != 10 || !common::parse_local_datetime(*day, 0)))
            throw HttpError{400, "InvalidParameter", "from and to must be dates as YYYY-MM-DD"};
    const auto format = c.query_or_empty("format");
    if (!format.empty() && format != "json" && format != "csv")
        throw HttpError{400, "InvalidParameter", "format must be \"json\" or \"csv\""};
    std::vector<store::InvalidAddress> rows;
    for (auto& i : s.store.list_invalid(c.query_or_empty("account")))
        if (filter.matches(i)) rows.push_back(std::move(i));
    if (format != "csv") return ok(list_json(rows, [](const auto& i) { return to_json(i); }));
    std::string csv = "account,address,reason,added_at\r\n";
    for (const auto& i : rows)
        csv += csv_field(i.account) + ',' + csv_field(i.address) + ',' + csv_field(i.reason) + ',' +
               csv_field(i.created_at) + "\r\n";
    return {200, std::move(csv), "text/csv; charset=utf-8"};
}

} // namespace

std::span<const Route> invalid_address_routes() {
    static const Route routes[] = {
        {"GET", "/v1/invalid-addresses", Access::admin, list_invalid},
        {"POST", "/v1/invalid-addresses", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_invalid(field(c.body, "account"), field(c.body, "address"),
                                                   field(c.body, "reason", false))),
                       201);
         }},
        {"DELETE", "/v1/invalid-addresses/{account}/{address}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_invalid(c.param("account"), c.param("address"));
             return ok(deleted(c.param("address")));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
