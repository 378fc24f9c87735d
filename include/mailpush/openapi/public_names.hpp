// Which hosts an ACS3 signature may name: the signed Host header must be one of the service's
// public names, so a request signed for another endpoint cannot be replayed here. Names are
// host names without a port; the Host's port is not compared (the listener that accepted the
// request already decided that). Pure; the Host comes from any client.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailpush::openapi {

// The names used when `[http] public_names` is empty: the server's hostname, the host of the
// public URL (if any) and the loopback names (clients on the host itself).
std::vector<std::string> default_public_names(std::string_view hostname, std::string_view public_url);

// "Api.Example.COM.:443" -> "api.example.com"; "[::1]:8080" -> "::1"; "" for a malformed Host.
std::string host_without_port(std::string_view host_header);

// True when the Host header (with or without a port) names one of `names` (case-insensitive).
bool is_public_name(std::string_view host_header, const std::vector<std::string>& names);

} // namespace mailpush::openapi
