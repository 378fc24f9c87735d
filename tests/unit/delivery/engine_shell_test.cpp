// The engine's shell over fakes: what it asks of the queue, the delivery records and the
// transport, in which order, and what it does when one of them fails.
#include "packed.hpp"

#include "mailpush/common/metrics.hpp"
#include "mailpush/delivery/engine.hpp"
#include "mailpush/tracking/token.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace mailpush;
using namespace mailpush::delivery;
namespace asio = boost::asio;

namespace {
constexpr std::int64_t kDay = 86'400'000;

// Every fake call notifies; tests wait on a condition, at most a few seconds.
struct Calls {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> log; // "ensure 1", "recipients 1", "apply 1,2", "remove 3", ...

    void add(std::string line) {
        {
            std::lock_guard lock(mutex);
            log.push_back(std::move(line));
        }
        changed.notify_all();
    }
    template <class Pred>
    bool wait(Pred pred) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(5), [&] { return pred(log); });
    }
    bool wait_for_line(const std::string& line) {
        return wait([&](const std::vector<std::string>& l) {
            return std::find(l.begin(), l.end(), line) != l.end();
        });
    }
    bool has(const std::string& line) {
        std::lock_guard lock(mutex);
        return std::find(log.begin(), log.end(), line) != log.end();
    }
    bool wait_removed(std::uint64_t envid) { // group commits may remove several at once
        const auto id = " " + std::to_string(envid);
        return wait([&](const std::vector<std::string>& l) {
            return std::any_of(l.begin(), l.end(), [&](const std::string& line) {
                return line.starts_with("remove_many") && (line + " ").find(id + " ") != std::string::npos;
            });
        });
    }
    std::vector<std::string> starting_with(const std::string& prefix) {
        std::lock_guard lock(mutex);
        std::vector<std::string> out;
        for (const auto& l : log)
            if (l.starts_with(prefix)) out.push_back(l);
        return out;
    }
};

struct FakeQueue : MessageQueue {
    Calls& calls;
    mutable std::mutex mutex;
    std::map<std::uint64_t, spool::QueueEntry> entries;
    explicit FakeQueue(Calls& c)
        : calls(c) {}

    void put(std::uint64_t envid, std::vector<std::string> rcpts, std::int64_t received_at_ms = 0,
             const std::function<void(smtp::Envelope&)>& tweak = {}) {
        spool::QueueEntry e;
        e.envid = envid;
        e.received_at_ms = received_at_ms;
        e.envelope = mailpush::testing::packed("sender@mail.test", std::move(rcpts), "", tweak);
        std::lock_guard lock(mutex);
        entries[envid] = std::move(e);
    }
    bool holds(std::uint64_t envid) const {
        std::lock_guard lock(mutex);
        return entries.contains(envid);
    }
    std::vector<spool::QueueEntry> list_after(std::uint64_t after, std::size_t limit) const override {
        std::lock_guard lock(mutex);
        std::vector<spool::QueueEntry> out;
        for (auto it = entries.upper_bound(after); it != entries.end() && out.size() < limit; ++it)
            out.push_back(it->second);
        return out;
    }
    std::uint64_t through = UINT64_MAX; // recovered_through(): every entry unless a test says
    std::uint64_t recovered_through() const override { return through; }
    bool contains(std::uint64_t envid) const override { return holds(envid); }
    void release_reserve() override { calls.add("release_reserve"); }
    std::optional<spool::QueueEntry> find(std::uint64_t envid) const override {
        std::lock_guard lock(mutex);
        const auto it = entries.find(envid);
        return it == entries.end() ? std::nullopt : std::optional(it->second);
    }
    std::string html; // when set, every message's body is this instead of a plain text one
    std::optional<std::string> read_body(std::uint64_t envid) const override {
        if (!holds(envid)) return std::nullopt;
        if (!html.empty()) return html;
        return "Message-ID: <" + std::to_string(envid) + "@mail.test>\r\nSubject: s\r\n\r\nbody\r\n";
    }
    void remove(std::uint64_t envid) override {
        {
            std::lock_guard lock(mutex);
            entries.erase(envid);
        }
        calls.add("remove " + std::to_string(envid));
    }
    void remove_many(const std::vector<std::uint64_t>& envids) override {
        std::string line = "remove_many";
        for (auto e : envids) {
            std::lock_guard lock(mutex);
            entries.erase(e);
            line += " " + std::to_string(e);
        }
        calls.add(line);
    }
    spool::InflightBudget* budget = nullptr; // memory_budget(): not counted unless a test sets one
    spool::InflightBudget* memory_budget() const override { return budget; }
    void set_size(std::uint64_t envid, std::uint64_t size) {
        std::lock_guard lock(mutex);
        entries[envid].size = size;
    }
    std::atomic<std::uint64_t> next_envid{900};
    std::uint64_t allocate_envid() override { return next_envid++; }
};

struct FakeRecords : DeliveryRecords {
    Calls& calls;
    std::map<std::uint64_t, std::vector<RecipientRecord>> rows; // what recovery reads
    std::atomic<int> failing_applies{0};                        // the next N applies throw
    explicit FakeRecords(Calls& c)
        : calls(c) {}

    std::function<void()> before_read;  // runs inside recipients_of, after it is recorded
    std::set<std::uint64_t> unreadable; // recipients_of throws when asked for one of these
    std::vector<RecipientRecord> recipients_of(const std::vector<std::uint64_t>& envids) override {
        calls.add("recipients " + std::to_string(envids.front()) + "-" + std::to_string(envids.back()));
        if (before_read) before_read();
        std::vector<RecipientRecord> out;
        for (const auto e : envids) {
            if (unreadable.count(e)) throw std::runtime_error("unknown state");
            if (const auto it = rows.find(e); it != rows.end())
                out.insert(out.end(), it->second.begin(), it->second.end());
        }
        return out;
    }
    std::mutex applied_mutex;
    std::vector<RecipientRecord> applied;         // every record applied, in order
    std::vector<RecipientUpdate> applied_updates; // ... with its event and report
    std::vector<RecipientRecord> applied_records() {
        std::lock_guard lock(applied_mutex);
        return applied;
    }
    void apply(const std::vector<RecipientUpdate>& updates) override {
        {
            std::lock_guard lock(applied_mutex);
            for (const auto& u : updates) {
                applied.push_back(u.record);
                applied_updates.push_back(u);
            }
        }
        std::string line = "apply";
        for (const auto& u : updates)
            line += " " + std::to_string(u.record.envid) + "." + std::to_string(u.record.idx) + ":" +
                    to_string(u.record.state) + (u.event.empty() ? "" : "+event");
        if (failing_applies > 0) {
            --failing_applies;
            calls.add("failed " + line);
            throw std::runtime_error("disk I/O error");
        }
        calls.add(line);
    }
    int add_hard_bounce(const std::string&, const std::string&) override { return 1; }
    void set_next_attempt(std::uint64_t envid, std::int64_t) override {
        calls.add("set_next_attempt " + std::to_string(envid));
    }
    void mark_deleted(std::uint64_t envid, const std::vector<std::string>&) override {
        calls.add("mark_deleted " + std::to_string(envid));
    }
    std::size_t prune(std::int64_t, const std::function<bool(std::uint64_t)>&) override { return 0; }
    std::atomic<int> failing_link_stores{0}; // the next N store_links throw
    void store_links(const std::vector<MessageLinks>& messages, std::int64_t) override {
        std::string line = "store_links";
        for (const auto& m : messages)
            line += " " + std::to_string(m.envid) + ":" + std::to_string(m.urls.size());
        if (failing_link_stores > 0) {
            --failing_link_stores;
            calls.add("failed " + line);
            throw std::runtime_error("disk I/O error");
        }
        calls.add(line);
    }
    void defer_unattempted(const std::vector<RecipientRecord>& records) override {
        std::string line = "defer_unattempted";
        for (const auto& r : records)
            line += " " + std::to_string(r.envid) + "." + std::to_string(r.idx) + "@" +
                    std::to_string(r.next_attempt_ms);
        calls.add(line);
    }
};

struct FakeAccounts : Accounts {
    mutable std::mutex mutex;
    std::set<std::string> invalid;
    std::optional<WarmupPlan> plan; // for every sending domain of "acct"
    std::string account_of(const std::string&) const override { return "acct"; }
    std::optional<WarmupPlan> warmup(const std::string& account, const std::string& domain) const override {
        return account == "acct" && domain == "mail.test" ? plan : std::nullopt;
    }
    std::optional<TrackingLinks> links; // the tracking links of every sender
    std::optional<TrackingLinks> tracking_links(const std::string&) const override { return links; }
    void add_invalid(const std::string&, const std::string&) override {}
    bool is_invalid(const std::string&, const std::string& address) const override {
        std::lock_guard lock(mutex);
        return invalid.count(address) != 0;
    }
    std::vector<std::pair<std::string, bool>> spam; // (account, via the API) per count
    void count_spam_refusal(const std::string& account, bool via_api) override {
        std::lock_guard lock(mutex);
        spam.emplace_back(account, via_api);
    }
    std::vector<std::pair<std::string, bool>> spam_counted() const {
        std::lock_guard lock(mutex);
        return spam;
    }
};

// Answers every attempt with `reply`, or holds it until the test releases it.
struct FakeTransport : Transport {
    Calls& calls;
    std::mutex mutex;
    bool hold = false;
    smtp::ServerReply reply{250, "2.0.0 Ok", {}};
    std::vector<std::pair<std::shared_ptr<AttemptJob>, std::function<void()>>> held;
    std::vector<std::string> sent_to;          // every recipient handed to the transport
    std::map<std::string, std::string> bodies; // recipient -> the body it was sent
    std::vector<std::string> recipients_sent() {
        std::lock_guard lock(mutex);
        return sent_to;
    }
    std::map<std::string, std::string> bodies_sent() {
        std::lock_guard lock(mutex);
        return bodies;
    }
    explicit FakeTransport(Calls& c)
        : calls(c) {}

    void deliver(std::shared_ptr<AttemptJob> job, std::function<void()> done) override {
        std::unique_lock lock(mutex);
        job->replies.assign(job->message.recipients.size(), reply);
        job->host_used = "fake";
        // Recorded before done(): done() lets the engine start the next attempt at once.
        calls.add("deliver " + std::to_string(job->envid));
        if (job->track_opens || job->track_links)
            calls.add("tracked " + std::to_string(job->envid) + (job->track_opens ? " opens" : "") +
                      (job->track_links ? " links" : "") + " " +
                      std::to_string(job->message.recipients.size()));
        for (const auto& r : job->message.recipients) {
            sent_to.push_back(r);
            bodies[r] = job->message.body;
        }
        if (hold) {
            held.emplace_back(std::move(job), std::move(done));
            lock.unlock();
        } else {
            lock.unlock();
            done();
        }
    }
    void release_all() {
        decltype(held) jobs;
        {
            std::lock_guard lock(mutex);
            jobs.swap(held);
        }
        for (auto& [job, done] : jobs)
            done();
    }
};

class EngineShell : public ::testing::Test {
protected:
    Calls calls;
    FakeQueue queue{calls};
    FakeRecords records{calls};
    FakeAccounts accounts;
    std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>(calls);
    std::atomic<std::int64_t> clock_ms{1'000'000};
    asio::thread_pool blocking{2};
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    std::thread loop;
    std::unique_ptr<Engine> engine;

    void start(EngineOptions options = {}) {
        options.routes = {{"*", "smtp://[::1]:2525"}};
        engine = std::make_unique<Engine>(
            io, options,
            EngineBackends{queue, records, accounts, transport, [this] { return clock_ms.load(); }},
            blocking);
        loop = std::thread([this] { io.run(); });
    }
    // A message that asked for opens and clicks, queued and handed to the engine.
    void enqueue_tracked(std::uint64_t envid, std::vector<std::string> rcpts) {
        queue.put(envid, std::move(rcpts), 0,
                  [](smtp::Envelope& e) { e.track_opens = e.track_links = true; });
        engine->enqueue(envid);
    }
    void TearDown() override {
        if (engine) engine->stop();
        transport->release_all();
        blocking.join();
        work.reset();
        io.stop();
        if (loop.joinable()) loop.join();
        engine.reset();
    }
};
} // namespace

TEST_F(EngineShell, DeliversRecordsThenRemovesFromTheSpool) {
    start();
    queue.put(1, {"a@one.test", "b@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(calls.starting_with("apply"),
              (std::vector<std::string>{"apply 1.0:delivered+event 1.1:delivered+event"}));
    EXPECT_FALSE(queue.holds(1));
}

TEST_F(EngineShell, TrackingFlagsOfTheEnvelopeReachEachOneRecipientAttempt) {
    start();
    enqueue_tracked(1, {"a@one.test", "b@one.test"});
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(calls.starting_with("tracked"),
              (std::vector<std::string>{"tracked 1 opens links 1", "tracked 1 opens links 1"}));
    EXPECT_EQ(calls.starting_with("deliver").size(), 2u);
}

namespace {
const std::string kHtml = "Message-ID: <1@mail.test>\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: text/html; charset=utf-8\r\n\r\n"
                          "<html><body><p><a href=\"https://shop.test/x\">x</a></p></body></html>\r\n";
const tracking::TrackingKey kKey{7, std::string(32, 'k')};

// The token after `marker` ("/o/" or "/c/") in `body`, read with kKey.
std::optional<tracking::TokenClaim> token_after(const std::string& body, const std::string& marker) {
    const auto at = body.find("http://dmtrace.mail.test" + marker);
    if (at == std::string::npos) return std::nullopt;
    const auto begin = at + std::string("http://dmtrace.mail.test").size() + marker.size();
    const auto end = body.find('"', begin);
    return tracking::read_token({kKey}, std::string_view(body).substr(begin, end - begin));
}
} // namespace

TEST_F(EngineShell, EachRecipientOfATrackedMessageGetsTokensOfItsOwnAfterItsLinksAreStored) {
    accounts.links = TrackingLinks{"http://dmtrace.mail.test", kKey, {}};
    queue.html = kHtml;
    start();
    enqueue_tracked(1, {"a@one.test", "b@one.test"});
    ASSERT_TRUE(calls.wait_removed(1));

    const auto stores = calls.starting_with("store_links");
    ASSERT_FALSE(stores.empty()); // two jobs analysing at once may both store (idempotent)
    EXPECT_LE(stores.size(), 2u);
    EXPECT_EQ(stores.front(), "store_links 1:1");
    {
        std::lock_guard lock(calls.mutex);
        const auto first_store = std::find(calls.log.begin(), calls.log.end(), "store_links 1:1");
        const auto first_deliver = std::find(calls.log.begin(), calls.log.end(), "deliver 1");
        EXPECT_LT(first_store, first_deliver);
    }
    const auto bodies = transport->bodies_sent();
    ASSERT_EQ(bodies.size(), 2u);
    const auto& a = bodies.at("a@one.test");
    const auto& b = bodies.at("b@one.test");
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find("https://shop.test/x"), std::string::npos);
    const auto a_open = token_after(a, "/o/"), a_click = token_after(a, "/c/");
    const auto b_open = token_after(b, "/o/"), b_click = token_after(b, "/c/");
    ASSERT_TRUE(a_open && a_click && b_open && b_click);
    EXPECT_EQ(*a_open, (tracking::TokenClaim{1, 0, 0}));
    EXPECT_EQ(*a_click, (tracking::TokenClaim{1, 0, 1}));
    EXPECT_EQ(*b_open, (tracking::TokenClaim{1, 1, 0}));
    EXPECT_EQ(*b_click, (tracking::TokenClaim{1, 1, 1}));
}

TEST_F(EngineShell, AMessageThatDidNotAskForTrackingIsSentAsItWasRead) {
    accounts.links = TrackingLinks{"http://dmtrace.mail.test", kKey, {}};
    queue.html = kHtml;
    start();
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(transport->bodies_sent().at("a@one.test"), kHtml);
    EXPECT_TRUE(calls.starting_with("store_links").empty());
}

TEST_F(EngineShell, ATrackedMessageWithoutTrackingLinksIsSentAsItWasRead) {
    queue.html = kHtml; // accounts.links unset: no key or no link host
    start();
    enqueue_tracked(1, {"a@one.test"});
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(transport->bodies_sent().at("a@one.test"), kHtml);
    EXPECT_TRUE(calls.starting_with("store_links").empty());
}

TEST_F(EngineShell, LinksThatCannotBeStoredMakeTheMessageGoOutUntracked) {
    accounts.links = TrackingLinks{"http://dmtrace.mail.test", kKey, {}};
    queue.html = kHtml;
    records.failing_link_stores = 1;
    start();
    enqueue_tracked(1, {"a@one.test"});
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(calls.starting_with("failed store_links"),
              (std::vector<std::string>{"failed store_links 1:1"}));
    EXPECT_EQ(transport->bodies_sent().at("a@one.test"), kHtml); // no redirect that leads nowhere
    EXPECT_EQ(calls.starting_with("deliver").size(), 1u);
}

TEST_F(EngineShell, ExpiresAtMaxLifetime) {
    EngineOptions o;
    o.max_lifetime = std::chrono::milliseconds(3 * kDay);
    start(o);
    transport->reply = {451, "4.3.0 try later", {}};
    queue.put(1, {"a@one.test"}, clock_ms - 3 * kDay + 30'000); // the next retry would come too late
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(calls.starting_with("apply"), (std::vector<std::string>{"apply 1.0:expired+event"}));
}

TEST_F(EngineShell, ASpamRefusalCountsOnceForTheChannelTheMessageCameIn) {
    start();
    transport->reply = {550, "5.7.1 Message rejected as spam", {}};
    queue.put(1, {"a@one.test"}, clock_ms, // submitted through the OpenAPI
              [](smtp::Envelope& e) { e.helo = std::string(smtp::kApiHelo); });
    queue.put(2, {"b@one.test"}, clock_ms);
    engine->enqueue(1);
    engine->enqueue(2);
    ASSERT_TRUE(calls.wait_removed(1));
    ASSERT_TRUE(calls.wait_removed(2));
    auto counted = accounts.spam_counted();
    std::sort(counted.begin(), counted.end());
    EXPECT_EQ(counted, (std::vector<std::pair<std::string, bool>>{{"acct", false}, {"acct", true}}));
}

TEST_F(EngineShell, ASpamDeferralIsNotCountedUntilItIsFinal) {
    start();
    transport->reply = {450, "Requested action not taken", {}}; // the spam-450 row
    queue.put(1, {"a@one.test"}, clock_ms);
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_for_line("apply 1.0:deferred"));
    EXPECT_TRUE(accounts.spam_counted().empty());
}

TEST_F(EngineShell, TemporaryFailureStaysSpooled) {
    start();
    transport->reply = {451, "4.3.0 try later", {}};
    queue.put(1, {"a@one.test"}, clock_ms);
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_for_line("apply 1.0:deferred"));
    EXPECT_TRUE(queue.holds(1));
}

TEST_F(EngineShell, CancelDuringAnAttemptDropsItsResult) {
    EngineOptions o;
    o.max_deliveries = 1; // the second message can only start once the first one's place is free
    start(o);
    transport->hold = true;
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_for_line("deliver 1"));
    engine->cancel(1, {"a@one.test"});
    ASSERT_TRUE(calls.wait_for_line("mark_deleted 1"));
    {
        std::lock_guard lock(transport->mutex);
        transport->hold = false;
    }
    transport->release_all(); // the remote said 250 after the operator deleted the message
    queue.put(2, {"b@two.test"});
    engine->enqueue(2);
    ASSERT_TRUE(calls.wait_for_line("remove_many 2"));
    EXPECT_EQ(calls.starting_with("apply"), (std::vector<std::string>{"apply 2.0:delivered+event"}));
    EXPECT_EQ(calls.starting_with("remove_many"), (std::vector<std::string>{"remove_many 2"}));
}

// A large body's attempt takes twice its size from the budget of message bytes in memory, within
// its open half; one that does not fit waits for another to end, small ones pass it, and one
// large attempt always goes whatever the budget.
TEST_F(EngineShell, AttemptsOfLargeMessagesWaitForRoomInTheMemoryBudget) {
    spool::InflightBudget budget(2 << 20); // the open half: 1 MiB
    queue.budget = &budget;
    start();
    transport->hold = true;
    queue.put(1, {"a@one.test"});
    queue.set_size(1, 400 << 10); // 800 KiB held
    queue.put(2, {"b@two.test"});
    queue.set_size(2, 400 << 10); // would make 1600 KiB: waits
    queue.put(3, {"c@three.test"});
    queue.set_size(3, 1000); // small: not counted, not held up
    for (std::uint64_t e = 1; e <= 3; ++e)
        engine->enqueue(e);
    ASSERT_TRUE(calls.wait_for_line("deliver 1"));
    ASSERT_TRUE(calls.wait_for_line("deliver 3"));
    EXPECT_FALSE(calls.has("deliver 2"));
    EXPECT_EQ(budget.used(), 800u << 10);
    transport->release_all();
    ASSERT_TRUE(calls.wait_for_line("deliver 2"));
    EXPECT_EQ(budget.used(), 800u << 10);
    budget.take(2 << 20); // ingest took everything: a large attempt still goes, uncharged, when none is out
    queue.put(4, {"d@four.test"});
    queue.set_size(4, 300 << 10);
    engine->enqueue(4);
    transport->release_all();
    ASSERT_TRUE(calls.wait_for_line("deliver 4"));
    EXPECT_EQ(budget.used(), 2u << 20);
    {
        std::lock_guard lock(transport->mutex);
        transport->hold = false;
    }
    transport->release_all();
    ASSERT_TRUE(calls.wait_removed(4));
    EXPECT_EQ(budget.used(), 2u << 20); // every attempt's share given back
}

TEST_F(EngineShell, RecoveryReadsEveryMessageInSpoolOrder) {
    EngineOptions o;
    o.max_deliveries = 1; // one attempt at a time: the order of attempts is visible
    queue.put(1, {"a@one.test"});
    queue.put(2, {"b@two.test"});
    queue.put(3, {"c@three.test"});
    queue.put(4, {"d@four.test"});
    records.rows[1] = {{1, 0, "a@one.test", RcptState::delivered, 1, 0, "250 ok", "SendOk", 0}};
    records.rows[2] = {
        {2, 0, "b@two.test", RcptState::deferred, 1, clock_ms + 600'000, "451", "SmtpTempErr", 0}};
    records.rows[3] = {{3, 0, "c@three.test", RcptState::queued, 0, 0, "", "", 0}};
    records.rows[4] = {{4, 0, "d@four.test", RcptState::queued, 0, 0, "", "", 0}};
    start(o);
    engine->start();
    ASSERT_TRUE(calls.wait_removed(3));
    ASSERT_TRUE(calls.wait_removed(4));
    EXPECT_EQ(calls.starting_with("recipients"), (std::vector<std::string>{"recipients 1-4"})); // one batch
    EXPECT_TRUE(calls.has("remove_many 1")); // every recipient was final before the crash
    EXPECT_EQ(calls.starting_with("deliver"), (std::vector<std::string>{"deliver 3", "deliver 4"}));
    EXPECT_TRUE(queue.holds(2)); // deferred: waits for its time
    engine->retry_now(2);
    ASSERT_TRUE(calls.wait_removed(2));
    // Written on the log strand, where an earlier group commit's flush may pass it (and
    // write message 2's result first).
    EXPECT_TRUE(calls.wait_for_line("set_next_attempt 2"));
}

TEST_F(EngineShell, RecoveryReadsTheLogInBatchesAndLeavesLaterCommitsToEnqueue) {
    for (std::uint64_t e = 1; e <= 2'500; ++e)
        queue.put(e, {"r" + std::to_string(e) + "@dest.test", "s@dest.test"});
    queue.through = 2'400; // 2401.. were committed after the spool's recovery: enqueue() has them
    records.rows[7] = {{7, 1, "s@dest.test", RcptState::delivered, 1, 0, "250 ok", "SendOk", 0}};
    start();
    engine->start();
    ASSERT_TRUE(calls.wait_removed(2'400));
    EXPECT_EQ(
        calls.starting_with("recipients"),
        (std::vector<std::string>{"recipients 1-1000", "recipients 1001-2000", "recipients 2001-2400"}));
    EXPECT_TRUE(queue.holds(2'401)); // not recovered twice: no attempt
    EXPECT_FALSE(calls.has("deliver 2401"));
    // Message 7's second recipient had its result: only the first (no row: queued) was tried.
    const auto applied = records.applied_records();
    EXPECT_EQ(
        std::count_if(applied.begin(), applied.end(), [](const RecipientRecord& r) { return r.envid == 7; }),
        1);
}

// One message whose rows cannot be read is left queued, untouched; the rest of its batch is not.
TEST_F(EngineShell, AnUnreadableMessageDoesNotHoldUpItsBatch) {
    for (std::uint64_t e = 1; e <= 3; ++e)
        queue.put(e, {"r" + std::to_string(e) + "@dest.test"});
    records.unreadable = {2};
    start();
    engine->start();
    ASSERT_TRUE(calls.wait_removed(1));
    ASSERT_TRUE(calls.wait_removed(3));
    EXPECT_TRUE(queue.holds(2));
    EXPECT_FALSE(calls.has("deliver 2"));
    EXPECT_EQ(
        calls.starting_with("recipients"),
        (std::vector<std::string>{"recipients 1-3", "recipients 1-1", "recipients 2-2", "recipients 3-3"}));
}

TEST_F(EngineShell, StopEndsRecoveryBetweenBatches) {
    for (std::uint64_t e = 1; e <= 5'000; ++e)
        queue.put(e, {"r@dest.test"});
    auto gate = std::make_shared<std::promise<void>>();
    records.before_read = [opened = gate->get_future().share()] { opened.wait(); };
    start();
    engine->start();
    ASSERT_TRUE(calls.wait([](const std::vector<std::string>& l) {
        return std::any_of(l.begin(), l.end(),
                           [](const std::string& x) { return x.starts_with("recipients"); });
    }));
    engine->stop(); // while the first batch's read is in progress
    gate->set_value();
    blocking.join();
    EXPECT_EQ(calls.starting_with("recipients"), (std::vector<std::string>{"recipients 1-1000"}));
}

// Results the delivery log could not take (a full disk) are kept and written again; until they
// are, no attempt starts: nothing is delivered that the log cannot record.
TEST_F(EngineShell, AFailedWriteOfResultsIsKeptAndPausesAttemptsUntilWritten) {
    EngineOptions o;
    o.log_write_retry = std::chrono::milliseconds(20);
    start(o);
    records.failing_applies = 1;
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1)); // written by the retry
    EXPECT_EQ(calls.starting_with("failed apply"),
              (std::vector<std::string>{"failed apply 1.0:delivered+event"}));
    EXPECT_EQ(calls.starting_with("apply"), (std::vector<std::string>{"apply 1.0:delivered+event"}));

    records.failing_applies = 1'000'000; // the disk stays full
    queue.put(3, {"c@three.test"});
    engine->enqueue(3);
    const auto failures = [&](std::size_t n) {
        return calls.wait([n](const std::vector<std::string>& l) {
            return static_cast<std::size_t>(std::count_if(l.begin(), l.end(), [](const std::string& x) {
                       return x.starts_with("failed apply 3.0");
                   })) >= n;
        });
    };
    ASSERT_TRUE(failures(2)); // the retry ran: the engine knows the log is failing
    EXPECT_TRUE(engine->paused());
    EXPECT_TRUE(calls.wait_for_line("release_reserve")); // the databases get the spool's reserve
    queue.put(4, {"d@four.test"});
    engine->enqueue(4);
    ASSERT_TRUE(failures(4)); // two more retries later, message 4 is still not attempted
    EXPECT_FALSE(calls.has("deliver 4"));
    records.failing_applies = 0; // space returns
    ASSERT_TRUE(calls.wait_removed(3));
    ASSERT_TRUE(calls.wait_removed(4));
    EXPECT_TRUE(calls.has("apply 3.0:delivered+event"));
    EXPECT_FALSE(engine->paused());
}

// At shutdown, results kept after a failed write get one more try.
TEST_F(EngineShell, StopTriesTheKeptResultsOnceMore) {
    EngineOptions o;
    o.log_write_retry = std::chrono::hours(1); // no retry of its own during the test
    start(o);
    records.failing_applies = 1;
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_for_line("failed apply 1.0:delivered+event"));
    engine->stop();
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_TRUE(calls.has("apply 1.0:delivered+event"));
}

// A recipient whose address entered the invalid-address library after the message was queued
// is not attempted: final SysOutInvRcpt (status 2), no hard bounce counted again.
TEST_F(EngineShell, RecipientsInTheInvalidLibraryAreNotAttempted) {
    accounts.invalid = {"b@one.test"};
    start();
    queue.put(1, {"a@one.test", "b@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_EQ(transport->recipients_sent(), (std::vector<std::string>{"a@one.test"}));
    EXPECT_EQ(calls.starting_with("apply"),
              (std::vector<std::string>{"apply 1.0:delivered+event 1.1:failed+event"}));
    const auto applied = records.applied_records();
    ASSERT_EQ(applied.size(), 2u);
    EXPECT_EQ(applied[1].address, "b@one.test");
    EXPECT_EQ(applied[1].failed_type, "SysOutInvRcpt");
    EXPECT_EQ(applied[1].status, 2);
    EXPECT_EQ(applied[1].last_reply, "559 Invalid rcptto: in the account's invalid-address library");
}

TEST_F(EngineShell, NothingIsSentWhenEveryRecipientIsInTheInvalidLibrary) {
    accounts.invalid = {"a@one.test"};
    start();
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_removed(1));
    EXPECT_TRUE(calls.starting_with("deliver").empty());
    EXPECT_EQ(calls.starting_with("apply"), (std::vector<std::string>{"apply 1.0:failed+event"}));
    EXPECT_EQ(records.applied_records().at(0).failed_type, "SysOutInvRcpt");
}

TEST_F(EngineShell, ASuppressedRecipientIsRecordedUnderAnEnvidOfItsOwn) {
    start();
    engine->record_suppressed(
        {"acct", "news@mail.test", "news@mail.test", "bob@one.test", "unsubscribe", "promo", "Hi"});
    ASSERT_TRUE(calls.wait_for_line("apply 900.0:failed+event"));
    std::lock_guard lock(records.applied_mutex);
    ASSERT_EQ(records.applied_updates.size(), 1u);
    const auto& u = records.applied_updates.front();
    EXPECT_EQ(u.record.address, "bob@one.test");
    EXPECT_EQ(u.record.failed_type, "SysOutSuppressed");
    EXPECT_EQ(u.record.status, 2);
    EXPECT_EQ(u.attempt.host, "suppression list");
    EXPECT_EQ(u.report.account, "acct");
    EXPECT_EQ(u.report.tag, "promo");
    EXPECT_EQ(u.report.subject, "Hi");
    EXPECT_NE(u.event.find("env_id=900&"), std::string::npos) << u.event;
    EXPECT_TRUE(u.event.ends_with("&failed_type=SysOutSuppressed")) << u.event;
    EXPECT_TRUE(transport->recipients_sent().empty());     // never contacted
    for (const auto& line : calls.starting_with("remove")) // no spool file behind it
        EXPECT_EQ(line.find("900"), std::string::npos) << line;
}

TEST_F(EngineShell, WarmupCapDefersTheRestToTheNextDayInTheLog) {
    const auto today = day_index(clock_ms, 480);
    accounts.plan = WarmupPlan{today, 1, 50, 30}; // the domain was added today: one recipient
    start();
    queue.put(1, {"a@one.test", "b@one.test", "c@two.test"});
    engine->enqueue(1);
    const auto tomorrow = std::to_string(day_start_ms(today + 1, 480));
    ASSERT_TRUE(calls.wait_for_line("defer_unattempted 1.1@" + tomorrow + " 1.2@" + tomorrow));
    ASSERT_TRUE(calls.wait_for_line("apply 1.0:delivered+event"));
    EXPECT_EQ(transport->recipients_sent(), (std::vector<std::string>{"a@one.test"}));
    EXPECT_TRUE(queue.holds(1)); // the rest waits: nothing failed
}

TEST_F(EngineShell, RateLimitReplySlowsTheDestinationDown) {
    const auto slowdowns = [] {
        const auto text = metrics::registry().render();
        return text.find("mailpush_destination_slowdowns_total{destination=\"smtp:::1:2525\"} ") !=
               std::string::npos;
    };
    EngineOptions o;
    start(o);
    transport->reply = {421, "HL:ICC connection frequency limited", {}};
    queue.put(1, {"a@one.test"});
    engine->enqueue(1);
    ASSERT_TRUE(calls.wait_for_line("apply 1.0:deferred"));
    EXPECT_TRUE(slowdowns());
}
