// How mailpushctl prints a reply: a table for people, the JSON with --json, the body as it is for
// an export; an error is one line on stderr.
#pragma once

#include "command.hpp"
#include "http_client.hpp"

#include <functional>

namespace mailpush::ctl {

// Prints the reply to `call`; returns the exit code (0, or 1 for a refused request).
int print_reply(const Call& call, const HttpResult& reply, bool as_json);
// A paged listing (call.paged): fetches page after page with `fetch(target)`, printing each as
// it arrives (a table with one header, or with --json one JSON array); the exit code.
int print_pages(const Call& call, const std::function<HttpResult(const std::string&)>& fetch, bool as_json);

} // namespace mailpush::ctl
