#include "password_flights.hpp"

#include "mailpush/common/digest.hpp"
#include "mailpush/common/random.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mailpush::net {
namespace asio = boost::asio;

asio::awaitable<PasswordFlights::Verdict> PasswordFlights::Flight::wait() {
    boost::system::error_code ec; // the leader closes the channel: every receive ends with an error
    co_await done_.async_receive(asio::redirect_error(asio::use_awaitable, ec));
    co_return verdict_.load();
}

PasswordFlights::PasswordFlights()
    : secret_(common::random_bytes(32)) {}

std::string PasswordFlights::key(std::string_view address, std::string_view stored_hash,
                                 std::string_view password) const {
    std::string data;
    data.reserve(stored_hash.size() + password.size() + 1);
    data.append(stored_hash).append(1, '\0').append(password);
    return std::string(address) + '\n' + common::hmac_sha256(secret_, data);
}

std::shared_ptr<PasswordFlights::Flight> PasswordFlights::find(const std::string& key) const {
    const auto it = flights_.find(key);
    return it == flights_.end() ? nullptr : it->second;
}

std::shared_ptr<PasswordFlights::Flight> PasswordFlights::take_off(const std::string& key,
                                                                   const asio::any_io_executor& ex) {
    auto flight = std::make_shared<Flight>(ex);
    flights_[key] = flight;
    return flight;
}

void PasswordFlights::land(const std::string& key, const std::shared_ptr<Flight>& flight, Verdict verdict) {
    if (const auto it = flights_.find(key); it != flights_.end() && it->second == flight) flights_.erase(it);
    flight->verdict_.store(verdict);
    flight->done_.close();
}

} // namespace mailpush::net
