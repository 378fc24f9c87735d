// mailpushd: the composition root. Loads the config, recovers the spool, opens the store,
// starts the SMTP listeners and the HTTP API, and runs the shutdown sequence on SIGTERM.
#include "certificate_check.hpp"
#include "descriptor_budget.hpp"
#include "inbound_handler.hpp"
#include "logging.hpp"
#include "process_guard.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/api/admin_auth.hpp"
#include "mailpush/api/console.hpp"
#include "mailpush/api/dns_check.hpp"
#include "mailpush/api/http_server.hpp"
#include "mailpush/api/tracking_endpoints.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/version.hpp"
#include "mailpush/config/config.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/engine.hpp"
#include "mailpush/delivery/tracking_recorder.hpp"
#include "mailpush/dns/resolver.hpp"
#include "mailpush/net/listen.hpp"
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
#include <malloc.h>
#include <sys/stat.h>
#include <thread>

namespace {
namespace asio = boost::asio;
using namespace mailpush;

constexpr int kExitConfig = 2;

void usage() {
    std::cout << "usage: mailpushd --config FILE [--check-config]\n"
                 "       mailpushd --print-defaults | --print-config-doc | --version\n"
                 "  --config FILE       the TOML configuration (see docs/config.md)\n"
                 "  --check-config      validate the configuration and exit (0 OK, 2 bad)\n"
                 "  --print-defaults    print every key at its default, as TOML, and exit\n"
                 "  --print-config-doc  print the key table of docs/config.md and exit\n"
                 "  --version           print the version and exit\n";
}

std::shared_ptr<asio::ssl::context> load_tls(const config::TlsFiles& tls, const std::string& hostname) {
    if (tls.cert.empty()) return nullptr;
    if (tls.self_signed && net::ensure_self_signed(tls.cert, tls.key, hostname))
        spdlog::info("tls.self_signed cert={} key={}", tls.cert, tls.key);
    return net::make_server_tls_context(tls.cert, tls.key);
}

// The HTTPS listener's certificate: [http] cert/key, else the one of [tls].
std::shared_ptr<asio::ssl::context> load_https_tls(const config::Config& cfg) {
    if (cfg.http.cert.empty() || cfg.http.key.empty()) {
        auto ctx = load_tls(cfg.tls, cfg.server.hostname);
        if (!ctx)
            throw std::runtime_error("http.https_port: no certificate ([http] cert/key or [tls] cert/key)");
        return ctx;
    }
    return net::make_server_tls_context(cfg.http.cert, cfg.http.key);
}

// Links mailed to users point at the public listener: HTTPS when it is on.
std::string default_public_url(const config::Config& cfg, unsigned short https_port,
                               unsigned short http_port) {
    const auto& a = cfg.http.address;
    const std::string host = a == "0.0.0.0" || a == "::"        ? cfg.server.hostname
                             : a.find(':') != std::string::npos ? "[" + a + "]"
                                                                : a;
    if (https_port != 0)
        return https_port == 443 ? "https://" + host : "https://" + host + ":" + std::to_string(https_port);
    return http_port == 80 ? "http://" + host : "http://" + host + ":" + std::to_string(http_port);
}

// Stops accepting, lets sessions finish or get 421 until the grace period ends, then closes
// what is left and stops the loop. Owned by main(), so it outlives every handler it schedules.
class ShutdownSequence {
public:
    ShutdownSequence(asio::io_context& io, net::SmtpServer& smtp, api::HttpServer& http,
                     std::chrono::milliseconds grace)
        : io_(io)
        , smtp_(smtp)
        , http_(http)
        , grace_(grace)
        , timer_(io) {}

    void begin() {
        if (started_) return;
        started_ = true;
        spdlog::info("shutdown.begin sessions={}", smtp_.active_sessions());
        deadline_ = std::chrono::steady_clock::now() + grace_;
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
    std::chrono::milliseconds grace_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_{};
    bool started_ = false;
};

} // namespace

namespace {
// [console] assets, or share/mailpush/console beside the binary's directory: build/src/mailpushd
// finds build/share/mailpush/console, /usr/bin/mailpushd /usr/share/mailpush/console.
std::string console_assets_dir(const std::string& configured) {
    if (!configured.empty()) return configured;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "share/mailpush/console";
    return (exe.parent_path().parent_path() / "share" / "mailpush" / "console").lexically_normal().string();
}
} // namespace

int main(int argc, char** argv) {
    ::umask(077); // everything the server creates (databases, spool, keys) is its own only
    // Message bodies are large and short-lived: mapped on their own, so a freed one goes back to
    // the system (glibc would raise its threshold to their size and keep them in its arenas).
    ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    std::string config_path;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc)
            config_path = argv[++i];
        else if (a == "--check-config")
            check_only = true;
        else if (a == "--print-defaults") {
            std::cout << config::print_defaults();
            return 0;
        } else if (a == "--print-config-doc") {
            std::cout << config::config_doc_table();
            return 0;
        } else if (a == "--version") {
            std::cout << "mailpushd " << common::version() << "\n";
            return 0;
        } else if (a == "--help" || a == "-h") {
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
        // --check-config is for the operator at the file: it also says where.
        std::cerr << "mailpushd: " << e.what();
        if (check_only && e.line() > 0) std::cerr << " (line " << e.line() << ")";
        std::cerr << "\n";
        return kExitConfig;
    }
    if (check_only) {
        std::optional<std::string> problem = app::check_certificates(cfg);
        try {
            if (!problem) app::plan_identity(cfg.server);
        } catch (const app::StartupError& e) {
            problem = e.what();
        }
        if (problem) {
            std::cerr << "mailpushd: " << config_path << ": " << *problem << "\n";
            return kExitConfig;
        }
        std::cout << "configuration OK\n";
        return 0;
    }
    app::setup_logging(cfg);
    std::signal(SIGPIPE, SIG_IGN);
    // Every session is a descriptor: use the whole hard limit, and keep the listeners' limits
    // below it (docs/deploy.md, "Descriptors and connection limits").
    const auto descriptors = app::raise_descriptor_limit();
    const app::DescriptorDemand demand{cfg.smtp.max_connections, cfg.http.max_connections,
                                       cfg.admin.max_connections, cfg.delivery.max_deliveries,
                                       cfg.spool.writers};
    const auto budget = app::fit_descriptors(descriptors, demand);
    if (!budget) {
        std::cerr << "mailpushd: the open-files limit (RLIMIT_NOFILE) of " << descriptors
                  << " is too small: raise it (LimitNOFILE=) or lower [delivery] max_deliveries\n";
        return kExitConfig;
    }
    cfg.smtp.max_connections = budget->smtp;
    cfg.http.max_connections = budget->http;
    cfg.admin.max_connections = budget->admin;

    app::DataDirGuard data_dir_guard;
    try {
        data_dir_guard = app::guard_data_dir(cfg);
    } catch (const app::StartupError& e) {
        std::cerr << "mailpushd: " << e.what() << "\n";
        return e.exit_code();
    }

    try {
        namespace fs = std::filesystem;
        auto spool_options = cfg.spool;
        spool_options.dir = fs::path(cfg.server.data_dir) / "spool";
        spool::Spool spool(std::move(spool_options));
        if (spool.reserve_released())
            spdlog::warn("spool.reserve released=true reason=\"free space below min_free_bytes\"");
        const auto recovered = spool.recover();
        if (spool.quarantined() > 0)
            spdlog::warn("spool.corrupt files={} dir={}", spool.quarantined(),
                         (fs::path(cfg.server.data_dir) / "spool" / "corrupt").string());
        if (spool.damaged_segment_spans() > 0)
            spdlog::warn("spool.corrupt segment_spans={} (damaged records skipped)",
                         spool.damaged_segment_spans());
        if (spool.segment_tail_bytes() > 0)
            spdlog::info(
                "spool.recover segment_tail_bytes={} (after a segment's last whole record: a batch never "
                "synced, so never acknowledged, or damage at the end)",
                spool.segment_tail_bytes());
        spdlog::info("spool.recover queued={}", recovered);
        spdlog::log(
            budget->capped ? spdlog::level::warn : spdlog::level::info,
            "limits.descriptors nofile={} reserved={} smtp_max_connections={} http_max_connections={} "
            "admin_max_connections={}{}",
            descriptors, budget->reserved, budget->smtp, budget->http, budget->admin,
            budget->capped ? fmt::format(" configured={}/{}/{}", demand.smtp, demand.http, demand.admin)
                           : "");

        store::Store store((fs::path(cfg.server.data_dir) / "store.db").string(), cfg.store,
                           cfg.server.region);

        std::shared_ptr<asio::ssl::context> tls;
        try {
            tls = load_tls(cfg.tls, cfg.server.hostname);
        } catch (const std::exception& e) {
            std::cerr << "mailpushd: " << config_path << ": " << e.what() << "\n";
            return kExitConfig;
        }

        // The pools are declared before the event loop so that they outlive it: handlers still
        // pending in the loop when it is destroyed may hold objects that use the pools' strands.
        asio::thread_pool cpu_pool(2);      // password hashing
        asio::thread_pool blocking_pool(2); // SQLite (delivery log) and spool reads
        asio::thread_pool api_pool(8);      // HTTP requests: mostly waiting on SQLite and spool commits
        asio::thread_pool admin_pool(2);    // the operator listener's requests: never behind the public ones
        asio::io_context io(static_cast<int>(cfg.server.worker_threads));
        net::SmtpServer smtp(io, cfg.smtp, spool, store, cpu_pool, tls);
        const auto delivery_db = (fs::path(cfg.server.data_dir) / "delivery.db").string();
        delivery::DeliveryLog delivery_log(delivery_db);
        auto engine_options = cfg.delivery;
        engine_options.tracking_link_host = cfg.tracking.link_host;
        delivery::Engine engine(io, engine_options, spool, store, delivery_log, blocking_pool);
        // Open and click hits: answered by the public listeners, written in batches by the
        // recorder's own thread (docs/tracking.md).
        const tracking::Classifier hit_classifier({cfg.tracking.scanner_window.count(),
                                                   cfg.tracking.burst_window.count(),
                                                   cfg.tracking.prefetch_networks});
        delivery::TrackingRecorderOptions recorder_options;
        recorder_options.flush_interval = cfg.tracking.flush_interval;
        recorder_options.max_pending = cfg.tracking.max_pending;
        recorder_options.region = cfg.server.region;
        recorder_options.utc_offset_minutes = cfg.delivery.event_utc_offset_minutes;
        recorder_options.link_retention = cfg.tracking.link_retention;
        delivery::TrackingRecorder recorder(
            delivery_db, recorder_options,
            [&hit_classifier](const tracking::HitFacts& facts) { return hit_classifier.classify(facts); });
        api::TrackingEndpoints tracking_endpoints(store, recorder, cfg.tracking.key_retention,
                                                  [] { return common::unix_ms_now(); });
        // Event notifications (SPEC §7): routed from the delivery log, pushed or queued.
        notify::NotifyLog notify_log(delivery_db);
        notify::Notifier notifier(
            notify_log, [&store] { return store.directory(); }, cfg.notify);
        notify::AlarmRunner alarms(store, notify_log, cfg.delivery.event_utc_offset_minutes);
        notifier.attach_alarms(alarms);
        smtp.set_commit_listener([&engine](std::uint64_t envid) { engine.enqueue(envid); });
        smtp.set_suppression_listener(
            [&engine](store::SuppressedSend s) { engine.record_suppressed(std::move(s)); });
        // Unauthenticated mail for the accounts' domains: reports and replies (docs/inbound.md).
        app::InboundHandler inbound(store, spool, delivery_db, blocking_pool,
                                    [&engine](std::uint64_t envid) { engine.enqueue(envid); },
                                    {cfg.server.hostname, cfg.delivery.event_utc_offset_minutes,
                                     cfg.delivery.invalid_address_threshold});
        smtp.set_inbound_handler([&inbound](net::InboundMessage m, net::InboundDone done) {
            inbound.handle(std::move(m), std::move(done));
        });
        // The OpenAPI commits through the same spool and hands messages to the same engine.
        // No negative caching: a user re-checks right after publishing a record.
        dns::Resolver verify_resolver(io.get_executor(),
                                      dns::ResolverOptions{cfg.delivery.dns_servers, std::chrono::seconds(5),
                                                           2, std::chrono::seconds(0)});
        openapi::OpenApiBackends backends;
        backends.submit = [&spool, &engine](smtp::Envelope env, std::string body, std::string peer,
                                            openapi::OpenApiBackends::Done done) {
            spool.submit({std::move(env), std::move(body), std::move(peer), nullptr, {}},
                         [&engine, done = std::move(done)](smtp::CommitResult r) {
                             if (r.ok) engine.enqueue(r.envid);
                             done(r.ok ? std::optional<std::uint64_t>(r.envid) : std::nullopt);
                         });
        };
        backends.check_dns = [&io, &verify_resolver](std::vector<store::DnsRecordCheck> checks) {
            return api::check_records(io, verify_resolver, std::move(checks), std::chrono::seconds(30));
        };
        backends.storage_low = [&spool] { return spool.storage_low(); };
        backends.suppressed = [&engine](store::SuppressedSend s) { engine.record_suppressed(std::move(s)); };
        backends.details = [&delivery_log](const delivery::DetailQuery& q) {
            return delivery_log.details(q);
        };
        backends.count_details = [&delivery_log](const delivery::DetailQuery& q) {
            return delivery_log.count_details(q);
        };
        backends.stats = [&delivery_log](const delivery::StatQuery& q) { return delivery_log.stats(q); };
        backends.track_stats = [&delivery_log](const delivery::TrackQuery& q) {
            return delivery_log.track_stats(q);
        };
        metrics::registry().gauge("mailpush_notify_outbox_events",
                                  "Notification events waiting to be pushed to HTTP targets",
                                  [&notify_log] { return static_cast<double>(notify_log.outbox_size()); });
        metrics::registry().gauge(
            "mailpush_delivery_paused",
            "1 while no delivery attempt starts because the delivery log cannot be written",
            [&engine] { return engine.paused() ? 1.0 : 0.0; });
        metrics::registry().gauge("mailpush_inflight_bytes",
                                  "Bytes of message bodies held in memory by SMTP sessions and API sends "
                                  "([spool] max_inflight_bytes)",
                                  [&spool] { return static_cast<double>(spool.inflight().used()); });
        metrics::registry().gauge("mailpush_queue_messages",
                                  "Messages in the spool (accepted, not yet finished)",
                                  [&spool] { return static_cast<double>(spool.size()); });
        const auto visibility_ms = cfg.notify.visibility_timeout.count();
        backends.receive_notifications = [&notify_log, visibility_ms](const std::string& account,
                                                                      std::size_t max) {
            return notify_log.receive(account, max, notify::unix_ms(), visibility_ms);
        };
        backends.delete_notifications = [&notify_log](const std::string& account,
                                                      const std::vector<std::string>& receipts) {
            return notify_log.remove(account, receipts);
        };
        backends.test_notification = [&notify_log, &cfg](const store::NotifyTarget& target) {
            return notify::send_test_event(notify_log, target,
                                           notify::PostOptions{cfg.notify.push_timeout, cfg.notify.ca_file,
                                                               cfg.notify.allow_private_targets},
                                           notify::unix_ms());
        };
        backends.notification_queue_size = [&notify_log](const std::string& account) {
            return notify_log.queue_size(account);
        };
        openapi::OpenApi open_api(store, cfg.openapi, backends);
        std::vector<std::string> admin_tokens{cfg.admin.token};
        try {
            admin_tokens.push_back(api::ensure_admin_token_file(cfg.admin.token_file));
        } catch (const std::exception& e) {
            std::cerr << "mailpushd: " << e.what() << "\n";
            return kExitConfig;
        }
        api::AdminApi admin(store, spool, std::move(admin_tokens));
        admin.attach_delivery(delivery_log, engine);
        admin.attach_openapi(open_api, backends);
        admin.attach_notify(notify_log, visibility_ms);
        admin.set_utc_offset(cfg.delivery.event_utc_offset_minutes);
        std::unique_ptr<api::Console> console;
        if (cfg.console.enabled) {
            const auto dir = console_assets_dir(cfg.console.assets);
            auto assets = api::ConsoleAssets::load(dir);
            if (assets.empty())
                spdlog::warn("console.assets dir={} files=0: /console/ answers 503 until it is built", dir);
            else
                spdlog::info("console.assets dir={} files={}", dir, assets.size());
            console = std::make_unique<api::Console>(cfg.console, std::move(assets), store, admin, &open_api,
                                                     cfg.delivery.event_utc_offset_minutes);
        }
        // After the console: requests still on the pools at shutdown never outlive it.
        api::HttpServer http(io, cfg.http, cfg.admin, admin, &open_api, {api_pool, admin_pool});
        http.set_inflight_budget(&spool.inflight());
        http.set_tracking(&tracking_endpoints);
        http.set_console(console.get());
        if (cfg.http.port != 0)
            http.add_listener({"http", api::Audience::public_, cfg.http.address, cfg.http.port, "", false});
        if (cfg.http.https_port != 0) {
            http.add_listener(
                {"https", api::Audience::public_, cfg.http.address, cfg.http.https_port, "", true});
            try {
                http.set_tls_context(load_https_tls(cfg));
            } catch (const std::exception& e) {
                std::cerr << "mailpushd: " << config_path << ": " << e.what() << "\n";
                return kExitConfig;
            }
        }
        http.add_listener(
            {"admin", api::Audience::admin, cfg.admin.address, cfg.admin.port, cfg.admin.socket, false});
        try {
            for (const auto& line : smtp.listen())
                spdlog::info("{}", line);
            for (const auto& line : http.listen())
                spdlog::info("{}", line);
            const std::string public_url =
                cfg.openapi.public_url.empty()
                    ? default_public_url(cfg, http.bound_port("https"), http.bound_port("http"))
                    : cfg.openapi.public_url;
            open_api.set_public_url(public_url);
            store.set_link_base(public_url); // one-click unsubscribe links
            tracking_endpoints.set_service_names(public_url, cfg.server.hostname);
        } catch (const net::ListenError& e) {
            spdlog::error("listen.error error=\"{}\"", e.what());
            std::cerr << "mailpushd: " << e.what() << "\n";
            return 1;
        }
        try {
            app::drop_privileges(data_dir_guard, cfg); // every listener is bound
        } catch (const app::StartupError& e) {
            std::cerr << "mailpushd: " << e.what() << "\n";
            return e.exit_code();
        }
        spool.start();
        engine.start();
        notifier.start();
        recorder.start();
        smtp.start();
        http.start();

        // Quota counts reach SQLite every few seconds (and at exit, in ~Store); API nonces older
        // than the timestamp window (twice the accepted skew) are forgotten.
        const std::int64_t nonce_window_s = 2 * cfg.openapi.max_clock_skew.count();
        asio::steady_timer usage_timer(io);
        std::function<void(boost::system::error_code)> flush_usage = [&](boost::system::error_code ec) {
            if (ec) return;
            asio::post(blocking_pool, [&store, nonce_window_s] {
                try {
                    store.flush_usage();
                    const auto now_s = common::unix_seconds_now();
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

        ShutdownSequence shutdown(io, smtp, http, cfg.server.shutdown_grace);
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
                smtp.set_tls_context(load_tls(cfg.tls, cfg.server.hostname));
                if (cfg.http.https_port != 0) http.set_tls_context(load_https_tls(cfg));
                spdlog::info("tls.reload result=ok");
            } catch (const std::exception& e) {
                spdlog::error("tls.reload result=fail error=\"{}\"", e.what());
            }
            hup.async_wait(on_hup);
        };
        hup.async_wait(on_hup);

        spdlog::info("ready hostname={} data_dir={} queued={}", cfg.server.hostname, cfg.server.data_dir,
                     recovered);
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < cfg.server.worker_threads; ++i)
            threads.emplace_back([&io] { io.run(); });
        io.run();
        for (auto& t : threads)
            t.join();
        api_pool.join(); // requests still running may commit: before the spool stops
        admin_pool.join();
        recorder.stop(); // a last flush: every hit answered is written
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
