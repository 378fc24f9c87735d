// c-ares on Asio. All c-ares calls happen on one strand. The sock-state callback tells us which
// sockets to watch; each readiness event calls ares_process_fd; a timer set from ares_timeout
// drives retransmissions and timeouts.
#include "mailpush/dns/resolver.hpp"

#include <ares.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>

namespace mailpush::dns {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::uint16_t kTypeA = 1, kTypeAAAA = 28, kTypeMX = 15, kTypeTXT = 16, kTypeCNAME = 5;

struct QueryResult {
    Outcome outcome = Outcome::temporary;
    ParsedAnswer answer;
};

std::once_flag g_ares_init;
} // namespace

struct Resolver::Impl : std::enable_shared_from_this<Impl> {
    struct Watch {
        explicit Watch(asio::strand<asio::any_io_executor> s, int fd)
            : desc(s, fd) {}
        asio::posix::stream_descriptor desc;
        bool want_read = false, want_write = false, reading = false, writing = false;
    };
    struct CacheEntry {
        QueryResult result;
        Clock::time_point expires;
    };

    asio::strand<asio::any_io_executor> strand;
    ResolverOptions options;
    ares_channel channel = nullptr;
    asio::steady_timer timer;
    std::map<int, std::unique_ptr<Watch>> watches;
    std::map<std::pair<std::string, std::uint16_t>, CacheEntry> cache;
    std::mt19937 rng{std::random_device{}()};

    Impl(asio::any_io_executor ex, ResolverOptions opts)
        : strand(asio::make_strand(ex))
        , options(std::move(opts))
        , timer(strand) {}

    ~Impl() {
        for (auto& [fd, w] : watches)
            w->desc.release(); // c-ares owns and closes its sockets
        if (channel) ares_destroy(channel);
    }

    void init() {
        std::call_once(g_ares_init, [] { ares_library_init(ARES_LIB_INIT_ALL); });
        ares_options o{};
        o.timeout = static_cast<int>(options.timeout.count());
        o.tries = options.tries;
        o.sock_state_cb = &Impl::on_sock_state;
        o.sock_state_cb_data = this;
        const int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
        if (ares_init_options(&channel, &o, mask) != ARES_SUCCESS)
            throw std::runtime_error("c-ares init failed");
        if (!options.servers.empty()) {
            std::string csv;
            for (const auto& s : options.servers)
                csv += (csv.empty() ? "" : ",") + s;
            if (ares_set_servers_ports_csv(channel, csv.c_str()) != ARES_SUCCESS)
                throw std::runtime_error("dns.servers: cannot use \"" + csv + "\"");
        }
    }

    static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
        auto* self = static_cast<Impl*>(data);
        if (!readable && !writable) {
            auto it = self->watches.find(fd);
            if (it != self->watches.end()) {
                boost::system::error_code ec;
                it->second->desc.cancel(ec);
                it->second->desc.release();
                self->watches.erase(it);
            }
            return;
        }
        auto& w = self->watches[fd];
        if (!w) w = std::make_unique<Watch>(self->strand, fd);
        w->want_read = readable != 0;
        w->want_write = writable != 0;
        self->arm(fd);
    }

    void arm(int fd) {
        auto it = watches.find(fd);
        if (it == watches.end()) return;
        Watch& w = *it->second;
        auto self = shared_from_this();
        if (w.want_read && !w.reading) {
            w.reading = true;
            w.desc.async_wait(asio::posix::stream_descriptor::wait_read,
                              [self, fd](boost::system::error_code ec) { self->on_ready(fd, ec, true); });
        }
        if (w.want_write && !w.writing) {
            w.writing = true;
            w.desc.async_wait(asio::posix::stream_descriptor::wait_write,
                              [self, fd](boost::system::error_code ec) { self->on_ready(fd, ec, false); });
        }
    }

    void on_ready(int fd, boost::system::error_code ec, bool read) {
        auto it = watches.find(fd);
        if (it != watches.end()) (read ? it->second->reading : it->second->writing) = false;
        if (ec == asio::error::operation_aborted || it == watches.end()) return;
        ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
        arm(fd); // may have been erased by the sock-state callback meanwhile; arm() checks
        arm_timer();
    }

    void arm_timer() {
        timeval tv{};
        if (!ares_timeout(channel, nullptr, &tv)) {
            timer.cancel();
            return;
        }
        timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
        auto self = shared_from_this();
        timer.async_wait([self](boost::system::error_code ec) {
            if (ec) return;
            ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            self->arm_timer();
        });
    }

    // One query, answered from the cache when fresh. Runs on the strand.
    void query(const std::string& name, std::uint16_t type, std::function<void(QueryResult)> done) {
        const auto key = std::pair{name, type};
        if (auto it = cache.find(key); it != cache.end()) {
            if (it->second.expires > Clock::now()) return done(it->second.result);
            cache.erase(it);
        }
        struct Pending {
            std::shared_ptr<Impl> self;
            std::pair<std::string, std::uint16_t> key;
            std::function<void(QueryResult)> done;
        };
        auto* p = new Pending{shared_from_this(), key, std::move(done)};
        ares_query(
            channel, name.c_str(), 1 /* C_IN */, type,
            [](void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
                std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
                QueryResult r;
                std::uint32_t ttl = 0;
                if (status == ARES_SUCCESS && abuf) {
                    auto parsed = parse_answer(abuf, static_cast<std::size_t>(alen), pending->key.second);
                    if (!parsed) {
                        r.outcome = Outcome::temporary;
                    } else {
                        r.answer = std::move(*parsed);
                        const bool empty =
                            r.answer.mx.empty() && r.answer.addresses.empty() && r.answer.texts.empty();
                        r.outcome = r.answer.null_mx ? Outcome::null_mx
                                    : empty          ? Outcome::nodata
                                                     : Outcome::ok;
                        ttl = r.answer.min_ttl;
                    }
                } else if (status == ARES_ENOTFOUND) {
                    r.outcome = Outcome::nxdomain;
                } else if (status == ARES_ENODATA) {
                    r.outcome = Outcome::nodata;
                } else {
                    r.outcome = Outcome::temporary; // timeout, SERVFAIL, refused, destruction, ...
                }
                auto& self = *pending->self;
                if (r.outcome == Outcome::nxdomain || r.outcome == Outcome::nodata)
                    ttl = static_cast<std::uint32_t>(self.options.negative_ttl.count());
                if (r.outcome != Outcome::temporary && ttl > 0 && status != ARES_EDESTRUCTION)
                    self.cache[pending->key] = {r, Clock::now() + std::chrono::seconds(ttl)};
                // Complete outside c-ares' callback, never re-entering it.
                asio::post(self.strand,
                           [done = std::move(pending->done), r = std::move(r)]() mutable { done(r); });
            },
            p);
        arm_timer();
    }
};

namespace {
// Awaitable wrapper: run `fn(done)` on the resolver's strand, resume the caller with the result.
template <class R, class Start>
auto on_strand(std::shared_ptr<Resolver::Impl> impl, Start start) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
        [impl](auto handler, Start s) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            asio::dispatch(impl->strand, [impl, h, work, s = std::move(s)]() mutable {
                s([h, work](R result) {
                    auto ex = asio::get_associated_executor(*h);
                    asio::dispatch(ex,
                                   [h, result = std::move(result)]() mutable { (*h)(std::move(result)); });
                });
            });
        },
        asio::use_awaitable, std::move(start));
}

// Not coroutines: capturing lambdas are built in plain functions (GCC 12, docs/architecture.md).
auto query_async(std::shared_ptr<Resolver::Impl> impl, std::string name, std::uint16_t type) {
    return on_strand<QueryResult>(
        impl, [impl, name = std::move(name), type](std::function<void(QueryResult)> done) {
            impl->query(name, type, std::move(done));
        });
}
} // namespace

Resolver::Resolver(asio::any_io_executor executor, ResolverOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {
    impl_->init();
}

Resolver::~Resolver() = default;

asio::awaitable<AddressResolution> Resolver::resolve_addresses(std::string host) {
    const QueryResult a = co_await query_async(impl_, host, kTypeA);
    const QueryResult aaaa = co_await query_async(impl_, host, kTypeAAAA);
    AddressResolution r;
    r.addresses = a.answer.addresses;
    r.addresses.insert(r.addresses.end(), aaaa.answer.addresses.begin(), aaaa.answer.addresses.end());
    if (!r.addresses.empty())
        r.outcome = Outcome::ok;
    else if (a.outcome == Outcome::temporary || aaaa.outcome == Outcome::temporary)
        r.outcome = Outcome::temporary;
    else if (a.outcome == Outcome::nxdomain)
        r.outcome = Outcome::nxdomain;
    else
        r.outcome = Outcome::nodata;
    co_return r;
}

asio::awaitable<TextResolution> Resolver::resolve_txt(std::string name) {
    const QueryResult q = co_await query_async(impl_, name, kTypeTXT);
    co_return TextResolution{q.outcome, q.answer.texts};
}

asio::awaitable<TextResolution> Resolver::resolve_cname(std::string name) {
    const QueryResult q = co_await query_async(impl_, name, kTypeCNAME);
    co_return TextResolution{q.outcome, q.answer.texts};
}

asio::awaitable<MxResolution> Resolver::resolve_mx(std::string domain) {
    const QueryResult mx = co_await query_async(impl_, domain, kTypeMX);
    MxResolution r;
    r.outcome = mx.outcome;
    if (mx.outcome == Outcome::ok) {
        std::vector<MxHost> hosts;
        for (const auto& h : mx.answer.mx)
            if (!h.name.empty()) hosts.push_back(h);
        r.hosts = order_mx(std::move(hosts), impl_->rng);
        if (r.hosts.empty()) r.outcome = Outcome::nodata;
    } else if (mx.outcome == Outcome::nodata) {
        // RFC 5321 §5.1: no MX records, the domain itself is the implicit MX if it has addresses.
        const AddressResolution addr = co_await resolve_addresses(domain);
        r.outcome = addr.outcome;
        if (addr.outcome == Outcome::ok) {
            r.hosts.push_back({domain, 0});
            r.implicit_mx = true;
        }
    }
    co_return r;
}

} // namespace mailpush::dns
