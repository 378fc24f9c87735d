// mailpush-bench: SMTP ingest benchmark (a program, not a test). Measures what a submission
// client sees: messages/s and the latency from the final "." to the 250 (the time the server
// takes to make the message durable). Also an "idle" mode that holds N sessions open and
// reports the server's RSS. Talks only to the address given (use loopback).
//
//   mailpush-bench send -H 127.0.0.1 -P 2525 -u USER -w PASS -c 20 -n 5000 -s 4096 -r 1 [-k 1] [-T 120]
//   mailpush-bench idle -H 127.0.0.1 -P 2525 -n 10000 [--pid PID] [--hold 5]
#include "mailpush/common/base64.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

struct Options {
    std::string mode, host = "127.0.0.1", user, pass, from, rcpt_domain = "dest.test";
    int port = 2525, conc = 20, size = 4096, rcpts = 1, per_conn = 1, time_limit = 120, pid = 0, hold = 5;
    long total = 5000;
};

int connect_to(const Options& o, const char* source_ip = nullptr) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (source_ip) {
        sockaddr_in src{};
        src.sin_family = AF_INET;
        ::inet_pton(AF_INET, source_ip, &src.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0)
            throw std::runtime_error("bind source");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(o.port));
    ::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

class Conn {
public:
    explicit Conn(int fd)
        : fd_(fd) {}
    ~Conn() { ::close(fd_); }
    void send(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            const auto n = ::write(fd_, s.data() + off, s.size() - off);
            if (n <= 0) throw std::runtime_error("write failed");
            off += static_cast<std::size_t>(n);
        }
    }
    // Reads one whole reply; returns its code.
    int reply() {
        for (;;) {
            auto nl = buf_.find("\r\n");
            while (nl != std::string::npos) {
                const std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 2);
                if (line.size() < 4 || line[3] != '-') return std::atoi(line.substr(0, 3).c_str());
                nl = buf_.find("\r\n");
            }
            char tmp[4096];
            const auto n = ::read(fd_, tmp, sizeof tmp);
            if (n <= 0) throw std::runtime_error("connection closed");
            buf_.append(tmp, static_cast<std::size_t>(n));
        }
    }
    int cmd(const std::string& line) {
        send(line + "\r\n");
        return reply();
    }

private:
    int fd_;
    std::string buf_;
};

void expect(int got, int want, const char* what) {
    if (got != want) throw std::runtime_error(std::string(what) + ": got " + std::to_string(got));
}

std::string make_body(const Options& o) {
    std::string b = "Subject: bench\r\nFrom: " + o.from + "\r\nTo: r@" + o.rcpt_domain + "\r\n\r\n";
    while (static_cast<int>(b.size()) < o.size - 5)
        b += std::string(76, 'x') + "\r\n";
    b.resize(static_cast<std::size_t>(std::max(o.size - 5, 0)));
    b += "\r\n.\r\n";
    return b;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int run_send(const Options& o) {
    const std::string auth = "AUTH PLAIN " + mailpush::common::base64_encode(std::string(1, '\0') + o.user +
                                                                             std::string(1, '\0') + o.pass);
    const std::string body = make_body(o);
    std::atomic<long> next{0}, done{0}, failed{0};
    std::mutex mu;
    std::vector<double> dot_ms, tx_ms;
    const auto start = Clock::now();
    const auto limit = start + std::chrono::seconds(o.time_limit);
    std::vector<std::thread> threads;
    for (int t = 0; t < o.conc; ++t) {
        threads.emplace_back([&, t] {
            std::vector<double> my_dot, my_tx;
            while (Clock::now() < limit) {
                long id = next.fetch_add(1);
                if (id >= o.total) break;
                try {
                    Conn c(connect_to(o));
                    expect(c.reply(), 220, "greeting");
                    expect(c.cmd("EHLO bench" + std::to_string(t)), 250, "EHLO");
                    expect(c.cmd(auth), 235, "AUTH");
                    for (int k = 0; o.per_conn == 0 || k < o.per_conn; ++k) {
                        if (k > 0 && (id = next.fetch_add(1)) >= o.total) break;
                        const auto t0 = Clock::now();
                        expect(c.cmd("MAIL FROM:<" + o.from + ">"), 250, "MAIL");
                        for (int r = 0; r < o.rcpts; ++r)
                            expect(c.cmd("RCPT TO:<r" + std::to_string(id) + "-" + std::to_string(r) + "@" +
                                         o.rcpt_domain + ">"),
                                   250, "RCPT");
                        expect(c.cmd("DATA"), 354, "DATA");
                        c.send(body.substr(0, body.size() - 3));
                        const auto t1 = Clock::now();
                        c.send(".\r\n");
                        expect(c.reply(), 250, "end of DATA");
                        const auto t2 = Clock::now();
                        my_dot.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
                        my_tx.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
                        ++done;
                        if (Clock::now() >= limit) break;
                    }
                    c.cmd("QUIT");
                } catch (const std::exception& e) {
                    if (failed++ < 5) std::fprintf(stderr, "error: %s\n", e.what());
                }
            }
            std::lock_guard lock(mu);
            dot_ms.insert(dot_ms.end(), my_dot.begin(), my_dot.end());
            tx_ms.insert(tx_ms.end(), my_tx.begin(), my_tx.end());
        });
    }
    for (auto& th : threads)
        th.join();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = static_cast<double>(done) / secs;
    const double p50 = percentile(dot_ms, 0.50), p99 = percentile(dot_ms, 0.99), mx = percentile(dot_ms, 1.0);
    const double tx50 = percentile(tx_ms, 0.50), tx99 = percentile(tx_ms, 0.99);
    std::printf("messages %ld ok, %ld failed in %.2f s: %.0f msg/s (%.0f rcpt/s)\n", done.load(),
                failed.load(), secs, rate, rate * o.rcpts);
    std::printf("dot->250 ms: p50 %.2f  p99 %.2f  max %.2f | MAIL..250 ms: p50 %.2f  p99 %.2f\n", p50, p99,
                mx, tx50, tx99);
    std::printf(
        "RESULT msgs=%ld failed=%ld secs=%.3f rate=%.1f dot_p50_ms=%.3f dot_p99_ms=%.3f tx_p99_ms=%.3f\n",
        done.load(), failed.load(), secs, rate, p50, p99, tx99);
    return failed == 0 && done == o.total ? 0 : 1;
}

long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
    return -1;
}

int run_idle(const Options& o) {
    const long before = o.pid ? rss_kib(o.pid) : -1;
    std::vector<std::unique_ptr<Conn>> conns;
    conns.reserve(static_cast<std::size_t>(o.total));
    const auto start = Clock::now();
    for (long i = 0; i < o.total; ++i) {
        // Spread over source addresses so a per-IP limit and the ephemeral port range do not bind.
        const std::string src =
            "127.0." + std::to_string(1 + i / 20000) + "." + std::to_string(1 + (i / 250) % 250);
        conns.push_back(std::make_unique<Conn>(connect_to(o, src.c_str())));
        expect(conns.back()->reply(), 220, "greeting");
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(std::chrono::seconds(o.hold));
    const long after = o.pid ? rss_kib(o.pid) : -1;
    std::printf(
        "idle sessions %zu opened in %.2f s; server RSS before %ld KiB, with sessions %ld KiB (%.1f MiB), "
        "%.1f KiB per session\n",
        conns.size(), secs, before, after, static_cast<double>(after) / 1024.0,
        o.pid ? static_cast<double>(after - before) / static_cast<double>(conns.size()) : 0.0);
    std::printf("RESULT sessions=%zu rss_before_kib=%ld rss_kib=%ld\n", conns.size(), before, after);
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    Options o;
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: mailpush-bench send|idle [options] (see the header of bench/smtp_bench.cpp)\n");
        return 2;
    }
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "-H")
            o.host = v;
        else if (k == "-P")
            o.port = std::stoi(v);
        else if (k == "-u")
            o.user = v;
        else if (k == "-w")
            o.pass = v;
        else if (k == "-f")
            o.from = v;
        else if (k == "-d")
            o.rcpt_domain = v;
        else if (k == "-c")
            o.conc = std::stoi(v);
        else if (k == "-n")
            o.total = std::stol(v);
        else if (k == "-s")
            o.size = std::stoi(v);
        else if (k == "-r")
            o.rcpts = std::stoi(v);
        else if (k == "-k")
            o.per_conn = std::stoi(v);
        else if (k == "-T")
            o.time_limit = std::stoi(v);
        else if (k == "--pid")
            o.pid = std::stoi(v);
        else if (k == "--hold")
            o.hold = std::stoi(v);
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (o.from.empty()) o.from = o.user;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    try {
        if (o.mode == "send") return run_send(o);
        if (o.mode == "idle") return run_idle(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailpush-bench: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "unknown mode %s\n", o.mode.c_str());
    return 2;
}
