// Fills a data directory's delivery log with final delivery records for the console benchmark
// (run-console.sh, docs/performance.md): MESSAGES messages of RCPTS recipients each for account
// "bench", spread over the last DAYS days, from a few senders and tags, 90 % delivered and the
// rest invalid, spam or failed, written through the DeliveryLog as the engine writes them.
// usage: mailpush-console-fill DATA_DIR [MESSAGES=200000] [RCPTS=5] [DAYS=30]
#include "mailpush/delivery/delivery_log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace mailpush::delivery;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DATA_DIR [MESSAGES] [RCPTS] [DAYS]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const long messages = argc > 2 ? std::atol(argv[2]) : 200'000;
    const int rcpts = argc > 3 ? std::atoi(argv[3]) : 5;
    const int days = argc > 4 ? std::atoi(argv[4]) : 30;
    std::filesystem::create_directories(dir);
    DeliveryLog log((std::filesystem::path(dir) / "delivery.db").string());
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::int64_t span_ms = static_cast<std::int64_t>(days) * 86'400'000;
    const auto started = std::chrono::steady_clock::now();
    std::vector<RecipientUpdate> batch;
    for (long m = 0; m < messages; ++m) {
        const auto envid = static_cast<std::uint64_t>(1'000'000 + m);
        const std::int64_t ended = now_ms - span_ms + span_ms * m / messages;
        const std::string sender = "news" + std::to_string(m % 4) + "@bench.example";
        const std::string tag = "tag" + std::to_string(m % 8);
        std::vector<std::string> addresses;
        for (int r = 0; r < rcpts; ++r)
            addresses.push_back("user" + std::to_string(m * rcpts + r) + "@example" + std::to_string(r) +
                                ".org");
        for (int r = 0; r < rcpts; ++r) {
            const long n = m * rcpts + r;
            const int status = n % 10 == 9 ? static_cast<int>(2 + (n / 10) % 3) : 0; // 90 % delivered
            RecipientUpdate u;
            u.record = {envid,
                        r,
                        addresses[static_cast<std::size_t>(r)],
                        status == 0 ? RcptState::delivered : RcptState::failed,
                        1,
                        0,
                        status == 0 ? "250 2.0.0 Ok" : "550 5.1.1 user unknown",
                        status == 0 ? "" : "InvalidAddress",
                        status};
            u.attempt = {envid,
                         r,
                         ended - 200,
                         ended,
                         "mx.example" + std::to_string(r) + ".org[192.0.2.1]:25",
                         u.record.last_reply};
            u.event = "bench event";
            u.report = {envid,
                        "bench",
                        sender,
                        u.record.address,
                        tag,
                        "Bench newsletter " + std::to_string(m % 50),
                        status,
                        u.record.failed_type,
                        u.record.last_reply,
                        ended};
            batch.push_back(std::move(u));
        }
        if (batch.size() >= 5000) {
            log.apply(batch);
            batch.clear();
        }
    }
    if (!batch.empty()) log.apply(batch);
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("filled %ld messages x %d recipients = %ld delivery records over %d days in %.1f s\n",
                messages, rcpts, messages * rcpts, days, secs);
    return 0;
}
