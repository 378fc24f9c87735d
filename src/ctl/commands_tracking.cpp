// tracking: the keys that sign tracking tokens (/v1/tracking/keys, docs/tracking.md). The
// secrets never leave the server; these commands show ids and dates only.
#include "command.hpp"

namespace mailpush::ctl {
namespace {
const std::vector<std::string> kKeyColumns{"id", "created_s", "retired_s"};
} // namespace

std::span<const Command> tracking_commands() {
    static const Command rows[] = {
        {{"tracking", "keys"},
         "",
         [](const Invocation&) {
             return Call{"GET", "/v1/tracking/keys", nullptr, kKeyColumns};
         }},
        {{"tracking", "rotate-key"},
         "",
         [](const Invocation&) {
             return Call{"POST", "/v1/tracking/keys/rotate", nlohmann::json::object(), kKeyColumns};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
