// mailpushd: the composition root. Loads the config, recovers the spool, opens the store,
// starts the SMTP listeners and the HTTP API, and runs the shutdown sequence on SIGTERM.
#include "logging.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/api/dns_check.hpp"
#include "mailpush/api/http_server.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/config/config.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/engine.hpp"
#include "mailpush/dns/resolver.hpp"
#include "mailpush/net/smtp_server.hpp"
#include "mailpush/net/tls.hpp"
#include "mailpush/notify/notifier.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sys/resource.h>
#include <thread>

namespace {
namespace asio = boost::asio;
using namespace mailpush;

constexpr int kExitConfig = 2;

void usage() {
    std::cout << "usage: mailpushd --config FILE [--check-config]\n"
                 "  --config FILE     the TOML configuration (see docs/config.md)\n"
                 "  --check-config    validate the configuration and exit (0 OK, 2 bad)\n";
}

std::shared_ptr<asio::ssl::context> load_tls(const config::Config& cfg) {
    if (cfg.tls_cert.empty()) return nullptr;
    if (cfg.tls_self_signed && net::ensure_self_signed(cfg.tls_cert, cfg.tls_key, cfg.hostname))
        spdlog::info("tls.self_signed cert={} key={}", cfg.tls_cert, cfg.tls_key);
    return net::make_server_tls_context(cfg.tls_cert, cfg.tls_key);
}

// Stops accepting, lets sessions finish or get 421 until the grace period ends, then closes
// what is left and stops the loop. Owned by main(), so it outlives every handler it schedules.
class ShutdownSequence {
public:
    ShutdownSequence(asio::io_context& io, net::SmtpServer& smtp, api::HttpServer& http,
                     const config::Config& cfg)
        : io_(io)
        , smtp_(smtp)
        , http_(http)
        , cfg_(cfg)
        , timer_(io) {}

    void begin() {
        if (started_) return;
        started_ = true;
        spdlog::info("shutdown.begin sessions={}", smtp_.active_sessions());
        deadline_ = std::chrono::steady_clock::now() + cfg_.shutdown_grace;
        smtp_.begin_shutdown();
        http_.stop();
        poll();
    }

private:
    void poll() {
        if (smtp_.active_sessions() == 0) {
            io_.stop();
            return;
        }
        if (std::chrono::steady_clock::now() >= deadline_) {
            spdlog::warn("shutdown.force sessions={}", smtp_.active_sessions());
            smtp_.force_close();
            timer_.expires_after(std::chrono::milliseconds(200));
            timer_.async_wait([this](boost::system::error_code) { io_.stop(); });
            return;
        }
        timer_.expires_after(std::chrono::milliseconds(20));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) poll();
        });
    }

    asio::io_context& io_;
    net::SmtpServer& smtp_;
    api::HttpServer& http_;
    const config::Config& cfg_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_{};
    bool started_ = false;
};

// The engine's part of the configuration.
delivery::EngineOptions engine_options(const config::Config& cfg) {
    delivery::EngineOptions o;
    o.hostname = cfg.hostname;
    o.region = cfg.region;
    o.dns_servers = cfg.dns_servers;
    o.remote_port = cfg.remote_port;
    o.retry_initial = cfg.retry_initial;
    o.retry_max = cfg.retry_max;
    o.max_lifetime = cfg.max_lifetime;
    o.max_deliveries = cfg.max_deliveries;
    o.max_per_destination = cfg.max_per_destination;
    o.max_rate_per_destination = cfg.max_rate_per_destination;
    o.connect_timeout = cfg.connect_timeout;
    o.command_timeout = cfg.command_timeout;
    o.invalid_address_threshold = cfg.invalid_address_threshold;
    o.event_utc_offset_minutes = cfg.event_utc_offset_minutes;
    o.log_retention = cfg.log_retention;
    for (const auto& r : cfg.routes)
        o.routes.push_back({r.domain, r.to});
    return o;
}

} // namespace

int main(int argc, char** argv) {
    std::string config_path;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc)
            config_path = argv[++i];
        else if (a == "--check-config")
            check_only = true;
        else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else {
            std::cerr << "mailpushd: unknown argument '" << a << "' (see --help)\n";
            return kExitConfig;
        }
    }
    if (config_path.empty()) {
        std::cerr << "mailpushd: --config FILE is required\n";
        return kExitConfig;
    }
    config::Config cfg;
    try {
        cfg = config::load_config(config_path);
    } catch (const config::ConfigError& e) {
        std::cerr << "mailpushd: " << e.what() << "\n";
        return kExitConfig;
    }
    if (check_only) {
        std::cout << "configuration OK\n";
        return 0;
    }
    app::setup_logging(cfg);
    std::signal(SIGPIPE, SIG_IGN);
    // Every session is a descriptor: use the whole hard limit (10,000 idle sessions must fit).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    try {
        namespace fs = std::filesystem;
        fs::create_directories(cfg.data_dir);
        spool::Spool spool({fs::path(cfg.data_dir) / "spool", cfg.spool_writers, cfg.min_free_bytes,
                            cfg.fault_injection, cfg.hostname});
        const auto recovered = spool.recover();
        spdlog::info("spool.recover queued={}", recovered);
        store::StoreLimits limits;
        limits.pbkdf2_iterations = cfg.pbkdf2_iterations;
        limits.allow_private_ip_entries = cfg.allow_private_ip_protection;
        limits.utc_offset_minutes = cfg.event_utc_offset_minutes;
        limits.daily_quota = cfg.default_daily_quota;
        limits.monthly_quota = cfg.default_monthly_quota;
        limits.max_domains = cfg.max_domains;
        limits.max_addresses = cfg.max_addresses;
        limits.max_address_deletions_per_month = cfg.max_address_deletions_per_month;
        limits.max_ip_entries = cfg.max_ip_entries;
        limits.max_tags = cfg.max_tags;
        limits.max_receiver_lists = cfg.max_receiver_lists;
        limits.max_receivers_per_list = cfg.max_receivers_per_list;
        limits.max_templates = cfg.max_templates;
        limits.max_template_subject_chars = cfg.max_template_subject;
        limits.max_template_body_bytes = cfg.max_template_body;
        limits.max_access_keys = cfg.max_access_keys;
        limits.service_host = cfg.hostname;
        store::Store store((fs::path(cfg.data_dir) / "store.db").string(), limits, cfg.region);

        std::shared_ptr<asio::ssl::context> tls;
        try {
            tls = load_tls(cfg);
        } catch (const std::exception& e) {
            std::cerr << "mailpushd: " << config_path << ": " << e.what() << "\n";
            return kExitConfig;
        }

        // The pools are declared before the event loop so that they outlive it: handlers still
        // pending in the loop when it is destroyed may hold objects that use the pools' strands.
        asio::thread_pool cpu_pool(2);      // password hashing
        asio::thread_pool blocking_pool(2); // SQLite (delivery log) and spool reads
        asio::thread_pool api_pool(8);      // HTTP requests: mostly waiting on SQLite and spool commits
        asio::io_context io(static_cast<int>(cfg.worker_threads));
        net::SmtpServer smtp(io, cfg, spool, store, cpu_pool, tls);
        const auto delivery_db = (fs::path(cfg.data_dir) / "delivery.db").string();
        delivery::DeliveryLog delivery_log(delivery_db);
        delivery::Engine engine(io, engine_options(cfg), spool, store, delivery_log, blocking_pool);
        // Event notifications (SPEC §7): routed from the delivery log, pushed or queued.
        notify::NotifyLog notify_log(delivery_db);
        notify::NotifierOptions notify_options;
        notify_options.push_timeout = cfg.notify_push_timeout;
        notify_options.ca_file = cfg.notify_ca_file;
        notify_options.retry_initial = cfg.notify_push_retry_initial;
        notify_options.retry_max = cfg.notify_push_retry_max;
        notify_options.push_max_lifetime = cfg.notify_push_max_lifetime;
        notify_options.queue_retention = cfg.notify_queue_retention;
        notify::Notifier notifier(
            notify_log, [&store] { return store.directory(); }, notify_options);
        smtp.set_commit_listener([&engine](std::uint64_t envid) { engine.enqueue(envid); });
        // The OpenAPI commits through the same spool and hands messages to the same engine.
        // No negative caching: a user re-checks right after publishing a record.
        dns::Resolver verify_resolver(
            io.get_executor(),
            dns::ResolverOptions{cfg.dns_servers, std::chrono::seconds(5), 2, std::chrono::seconds(0)});
        openapi::OpenApiBackends backends;
        backends.submit = [&spool, &engine](smtp::Envelope env, std::string body, std::string peer,
                                            openapi::OpenApiBackends::Done done) {
            spool.submit({std::move(env), std::move(body), std::move(peer)},
                         [&engine, done = std::move(done)](smtp::CommitResult r) {
                             if (r.ok) engine.enqueue(r.envid);
                             done(r.ok ? std::optional<std::uint64_t>(r.envid) : std::nullopt);
                         });
        };
        backends.check_dns = [&io, &verify_resolver](std::vector<store::DnsRecordCheck> checks) {
            return api::check_records(io, verify_resolver, std::move(checks), std::chrono::seconds(30));
        };
        backends.storage_low = [&spool] { return spool.storage_low(); };
        backends.details = [&delivery_log](const delivery::DetailQuery& q) {
            return delivery_log.details(q);
        };
        backends.count_details = [&delivery_log](const delivery::DetailQuery& q) {
            return delivery_log.count_details(q);
        };
        backends.stats = [&delivery_log](const delivery::StatQuery& q) { return delivery_log.stats(q); };
        metrics::registry().gauge("mailpush_notify_outbox_events",
                                  "Notification events waiting to be pushed to HTTP targets",
                                  [&notify_log] { return static_cast<double>(notify_log.outbox_size()); });
        metrics::registry().gauge("mailpush_queue_messages",
                                  "Messages in the spool (accepted, not yet finished)",
                                  [&spool] { return static_cast<double>(spool.size()); });
        const auto visibility_ms = cfg.notify_visibility_timeout.count();
        backends.receive_notifications = [&notify_log, visibility_ms](const std::string& account,
                                                                      std::size_t max) {
            return notify_log.receive(account, max, notify::unix_ms(), visibility_ms);
        };
        backends.delete_notifications = [&notify_log](const std::string& account,
                                                      const std::vector<std::string>& receipts) {
            return notify_log.remove(account, receipts);
        };
        openapi::OpenApiOptions api_options;
        api_options.region = cfg.region;
        api_options.hostname = cfg.hostname;
        api_options.utc_offset_minutes = cfg.event_utc_offset_minutes;
        api_options.max_clock_skew_s =
            std::chrono::duration_cast<std::chrono::seconds>(cfg.max_clock_skew).count();
        api_options.require_verified_domain = cfg.require_verified_domain;
        api_options.max_message_bytes = cfg.max_message_bytes;
        openapi::OpenApi open_api(store, api_options, backends);
        api::AdminApi admin(store, spool, cfg.admin_token);
        admin.attach_delivery(delivery_log, engine);
        admin.attach_openapi(open_api, backends);
        admin.attach_notify(notify_log, visibility_ms);
        admin.set_utc_offset(cfg.event_utc_offset_minutes);
        api::HttpServer http(io, cfg.http_address, cfg.http_port, admin, &open_api, api_pool);
        http.set_max_connections(cfg.http_max_connections);
        try {
            for (const auto& line : smtp.listen())
                spdlog::info("{}", line);
            spdlog::info("{}", http.listen());
            const std::string host = cfg.http_address == "0.0.0.0" ? cfg.hostname : cfg.http_address;
            open_api.set_public_url(cfg.public_url.empty()
                                        ? "http://" + host + ":" + std::to_string(http.bound_port())
                                        : cfg.public_url);
        } catch (const boost::system::system_error& e) {
            spdlog::error("listen.error error=\"{}\"", e.what());
            return 1;
        }
        spool.start();
        engine.start();
        notifier.start();
        smtp.start();
        http.start();

        // Quota counts reach SQLite every few seconds (and at exit, in ~Store); API nonces older
        // than the timestamp window (twice the accepted skew) are forgotten.
        const std::int64_t nonce_window_s = 2 * api_options.max_clock_skew_s;
        asio::steady_timer usage_timer(io);
        std::function<void(boost::system::error_code)> flush_usage = [&](boost::system::error_code ec) {
            if (ec) return;
            asio::post(blocking_pool, [&store, nonce_window_s] {
                try {
                    store.flush_usage();
                    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
                    store.forget_nonces_before(now_s - nonce_window_s);
                } catch (const std::exception& e) {
                    spdlog::error("usage.flush error=\"{}\"", e.what());
                }
            });
            usage_timer.expires_after(std::chrono::seconds(2));
            usage_timer.async_wait(flush_usage);
        };
        usage_timer.expires_after(std::chrono::seconds(2));
        usage_timer.async_wait(flush_usage);

        ShutdownSequence shutdown(io, smtp, http, cfg);
        asio::signal_set stop_signals(io, SIGTERM, SIGINT);
        stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
            if (ec) return;
            spdlog::info("signal.received signal={}", sig);
            engine.stop();
            usage_timer.cancel();
            shutdown.begin();
        });
        asio::signal_set hup(io, SIGHUP);
        std::function<void(boost::system::error_code, int)> on_hup = [&](boost::system::error_code ec, int) {
            if (ec) return;
            try {
                smtp.set_tls_context(load_tls(cfg));
                spdlog::info("tls.reload result=ok");
            } catch (const std::exception& e) {
                spdlog::error("tls.reload result=fail error=\"{}\"", e.what());
            }
            hup.async_wait(on_hup);
        };
        hup.async_wait(on_hup);

        spdlog::info("ready hostname={} data_dir={} queued={}", cfg.hostname, cfg.data_dir, recovered);
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < cfg.worker_threads; ++i)
            threads.emplace_back([&io] { io.run(); });
        io.run();
        for (auto& t : threads)
            t.join();
        api_pool.join(); // requests still running may commit: before the spool stops
        notifier.stop(); // events not yet routed or pushed stay in the log for the next start
        spool.stop();
        cpu_pool.join();
        blocking_pool.join();
        spdlog::info("shutdown.done");
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("fatal error=\"{}\"", e.what());
        std::cerr << "mailpushd: " << e.what() << "\n";
        return 1;
    }
}
