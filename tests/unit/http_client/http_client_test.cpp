// The shared HTTP client against a one-shot listener on 127.0.0.1 (plain sockets, one thread).
#include "mailpush/http_client/http_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace mailpush::http_client;
using namespace std::chrono_literals;

namespace {
// Accepts one connection, keeps what it read until the blank line plus `Content-Length` bytes,
// and answers `reply`.
class OneShotServer {
public:
    explicit OneShotServer(std::string reply) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 1) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("cannot listen");
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this, reply = std::move(reply)] { serve(reply); });
    }
    ~OneShotServer() {
        finish();
        ::close(fd_);
    }
    // Stops waiting for a connection and returns what the one connection sent.
    const std::string& finish() {
        ::shutdown(fd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        return received_;
    }
    std::uint16_t port() const { return port_; }
    std::string url(const std::string& target) const {
        return "http://127.0.0.1:" + std::to_string(port_) + target;
    }

private:
    void serve(const std::string& reply) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        for (int reads = 0; reads < 100 && !complete(); ++reads) { // bounded
            const auto n = ::read(c, buf, sizeof buf);
            if (n <= 0) break;
            received_.append(buf, static_cast<std::size_t>(n));
        }
        (void)!::write(c, reply.data(), reply.size());
        ::close(c);
    }
    bool complete() const {
        const auto end = received_.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        const auto cl = received_.find("Content-Length: ");
        const std::size_t body = cl == std::string::npos ? 0 : std::stoul(received_.substr(cl + 16));
        return received_.size() >= end + 4 + body;
    }
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::string received_;
};

ClientOptions quick() {
    ClientOptions o;
    o.timeout = 5s;
    o.user_agent = "tester";
    return o;
}
} // namespace

TEST(HttpClient, SendsMethodHeadersAndBodyAndReadsTheAnswer) {
    OneShotServer server("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    Request req;
    req.method = "PUT";
    req.url = server.url("/v1/things?x=1");
    req.headers = {{"Authorization", "Bearer t"}};
    req.body = "{\"a\":1}";
    const auto r = Client(quick()).send(req);
    const std::string received = server.finish();
    EXPECT_TRUE(r.answered) << r.error;
    EXPECT_EQ(r.status, 201u);
    EXPECT_EQ(r.body, "hello");
    EXPECT_TRUE(received.starts_with("PUT /v1/things?x=1 HTTP/1.1\r\n")) << received;
    EXPECT_NE(received.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos)
        << received; // not port 80: the Host header carries it
    EXPECT_NE(received.find("User-Agent: tester\r\n"), std::string::npos);
    EXPECT_NE(received.find("Authorization: Bearer t\r\n"), std::string::npos);
    EXPECT_TRUE(received.ends_with("\r\n\r\n{\"a\":1}"));
}

TEST(HttpClient, NonGlobalAddressesAreRefusedBeforeConnectingWhenNotAllowed) {
    OneShotServer server("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    auto options = quick();
    options.allow_private_addresses = false;
    Client client(options);
    for (const auto& url :
         {server.url("/hook"), "http://localhost:" + std::to_string(server.port()) + "/hook"}) {
        const auto r = client.send({"POST", url, {}, "x"});
        EXPECT_FALSE(r.answered);
        EXPECT_FALSE(r.connected);
        EXPECT_TRUE(r.refused);
        EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
    }
    // The same server, allowed: it is reached (and the one-shot server can finish).
    const auto allowed = Client(quick()).send({"POST", server.url("/hook"), {}, "x"});
    EXPECT_TRUE(allowed.answered) << allowed.error;
    EXPECT_FALSE(allowed.refused);
    server.finish();
}

TEST(HttpClient, AnAnswerLongerThanTheLimitIsAnError) {
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
    auto options = quick();
    options.body_limit = 10;
    const auto r = Client(options).send({"GET", server.url("/"), {}, ""});
    EXPECT_FALSE(r.answered);
    EXPECT_TRUE(r.connected);
    EXPECT_FALSE(r.error.empty());
}

TEST(HttpClient, ReportsWhatWentWrongBeforeAnAnswer) {
    Client client(quick());
    const auto not_http = client.send({"GET", "ftp://example.org/", {}, ""});
    EXPECT_FALSE(not_http.answered);
    EXPECT_EQ(not_http.error, "not an http(s) URL");

    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); // a port nobody listens on
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const auto refused =
        client.send({"GET", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", {}, ""});
    ::close(fd);
    EXPECT_FALSE(refused.answered);
    EXPECT_FALSE(refused.connected);
    EXPECT_FALSE(refused.error.empty());

    auto options = quick();
    options.ca_file = "/nonexistent/ca.pem";
    const auto no_ca = Client(options).send({"POST", "https://127.0.0.1:1/", {}, ""});
    EXPECT_EQ(no_ca.error.rfind("cannot load /nonexistent/ca.pem", 0), 0u) << no_ca.error;
}
