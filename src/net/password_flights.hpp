// Overlapping AUTHs of one address with one password share one password check. An application
// that opens 20 connections at start-up with a cold login cache would otherwise run 20 Argon2
// checks and, past `auth_concurrent_per_ip`, get 454s; here the first runs the check and the
// others wait for its verdict, taking no gate slot and no CPU. Only a keyed digest of the
// password is kept while the check runs. Guarded by ServerShared::gate_mutex.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailpush::net {

class PasswordFlights {
public:
    enum class Verdict { ok, failed, unchecked }; // unchecked: the leader ended without a check

    class Flight {
    public:
        explicit Flight(const boost::asio::any_io_executor& ex)
            : done_(ex) {}
        // Completes once the leader's check ended (at once if it already has).
        boost::asio::awaitable<Verdict> wait();

    private:
        friend class PasswordFlights;
        boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> done_;
        std::atomic<Verdict> verdict_{Verdict::unchecked};
    };

    PasswordFlights();

    // The key of a check: the address, its stored hash and a keyed digest of the password.
    std::string key(std::string_view address, std::string_view stored_hash, std::string_view password) const;
    // The flight checking `key` now, or nullptr.
    std::shared_ptr<Flight> find(const std::string& key) const;
    // Starts the flight of the caller's own check (it must call land() once, whatever happens).
    std::shared_ptr<Flight> take_off(const std::string& key, const boost::asio::any_io_executor& ex);
    // Ends it: waiters get `verdict`, later callers of find() no longer see it.
    void land(const std::string& key, const std::shared_ptr<Flight>& flight, Verdict verdict);
    std::size_t size() const { return flights_.size(); }

private:
    std::string secret_; // per-process key of the password digest
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

} // namespace mailpush::net
