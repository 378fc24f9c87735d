#include "temp_dir.hpp"

#include "mailpush/spool/segment.hpp"
#include "mailpush/spool/spool.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <unistd.h>

namespace mailpush::spool {
namespace {
smtp::Envelope sample_envelope() {
    smtp::Envelope e;
    e.mail_from = "s@example.com";
    e.auth_user = "s@example.com";
    e.recipients = {{"a@b.test", "SUCCESS", "rfc822;a@b.test"}, {"c@d.test", "", ""}};
    return e;
}

QueueEntry sample() {
    QueueEntry e;
    e.envid = 42;
    e.envelope = std::make_shared<const smtp::PackedEnvelope>(sample_envelope(), "127.0.0.1");
    e.received_at_ms = 1234;
    return e;
}

class SpoolTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-spool"};
    std::filesystem::path dir = temp.path();

    smtp::CommitResult commit(Spool& s, std::string body) {
        std::promise<smtp::CommitResult> p;
        CommitRequest r;
        r.envelope = sample_envelope();
        r.body = std::move(body);
        r.peer_ip = "127.0.0.1";
        s.submit(std::move(r), [&](smtp::CommitResult res) { p.set_value(res); });
        return p.get_future().get();
    }

    // Three small messages ("Subject: 0" .. "Subject: 2"): with one writer, one segment.
    std::vector<std::uint64_t> commit_three_small(Spool& s) {
        std::vector<std::uint64_t> ids;
        for (int i = 0; i < 3; ++i)
            ids.push_back(commit(s, "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n").envid);
        return ids;
    }
};

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
} // namespace

TEST(QueueFile, RoundTrip) {
    const auto file = encode_queue_file(sample(), "Subject: x\r\n\r\nbody\r\n");
    auto back = decode_queue_file(file);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->first.envid, 42u);
    EXPECT_EQ(back->first.envelope->recipient_count(), 2u);
    EXPECT_EQ(back->first.envelope->orcpt(0), "rfc822;a@b.test");
    EXPECT_EQ(back->first.envelope->notify(0), "SUCCESS");
    EXPECT_EQ(back->first.envelope->peer(), "127.0.0.1");
    EXPECT_EQ(back->second, "Subject: x\r\n\r\nbody\r\n");
}

TEST(QueueFile, EveryTruncationIsRejected) {
    const auto file = encode_queue_file(sample(), "body\r\n");
    for (std::size_t n = 0; n < file.size(); ++n)
        EXPECT_FALSE(decode_queue_file(file.substr(0, n))) << n;
    EXPECT_FALSE(decode_queue_file(file + "x"));
    std::string flipped = file;
    flipped[5] = '9';
    EXPECT_FALSE(decode_queue_file(flipped));
}

TEST_F(SpoolTest, CommitRecoverRemove) {
    std::uint64_t first = 0;
    {
        Spool s({dir, 2, 0, "", "mx.test"});
        s.recover();
        s.start();
        auto r = commit(s, "Subject: a\r\n\r\nhello\r\n");
        ASSERT_TRUE(r.ok);
        first = r.envid;
        EXPECT_TRUE(commit(s, "b\r\n").ok);
        EXPECT_EQ(s.size(), 2u);
        auto body = s.read_body(first);
        ASSERT_TRUE(body);
        EXPECT_TRUE(body->starts_with("Received: from "));
        EXPECT_TRUE(body->ends_with("Subject: a\r\n\r\nhello\r\n"));
    }
    std::ofstream(dir / "tmp" / "7.msg") << "partial";
    Spool again({dir, 1, 0, "", "mx.test"});
    EXPECT_EQ(again.recover(), 2u);
    EXPECT_FALSE(std::filesystem::exists(dir / "tmp" / "7.msg"));
    again.start();
    auto r = commit(again, "c\r\n");
    EXPECT_GT(r.envid, first + 1);
    EXPECT_TRUE(again.remove(first));
    EXPECT_FALSE(again.remove(first));
    EXPECT_FALSE(std::filesystem::exists(dir / "queue" / queue_file_name(first)));
}

// A message too large for a segment: a file of its own.
std::string large_body(char c) {
    return std::string(kMaxSegmentRecord, c) + "\r\n";
}

// Files of the flat layout (queue/N.msg) are recovered and moved to their subdirectory; a file
// in the wrong subdirectory too; a damaged one goes to corrupt/ whatever its place.
TEST_F(SpoolTest, RecoveryMovesFilesToTheirHashedSubdirectory) {
    std::uint64_t a = 0, b = 0;
    {
        Spool s({dir, 1, 0, "", "mx.test"});
        s.recover();
        s.start();
        a = commit(s, large_body('a')).envid;
        for (int i = 0; i < 300; ++i) // far enough on for the next envid's subdirectory to differ
            s.allocate_envid();
        b = commit(s, large_body('b')).envid;
    }
    ASSERT_NE(queue_file_name(a).substr(0, 2), queue_file_name(b).substr(0, 2));
    EXPECT_TRUE(std::filesystem::exists(dir / "queue" / queue_file_name(a)));
    std::filesystem::rename(dir / "queue" / queue_file_name(a), dir / "queue" / (std::to_string(a) + ".msg"));
    std::filesystem::rename(dir / "queue" / queue_file_name(b),
                            dir / "queue" /
                                queue_file_name(a).substr(0, 3).append(std::to_string(b) + ".msg"));
    std::ofstream(dir / "queue" / "ab" / "12345.msg") << "MPQ1 3 1\n{}\nx\nMPQ-END\n";
    Spool again({dir, 1, 0, "", "mx.test"});
    EXPECT_EQ(again.recover(), 2u);
    EXPECT_TRUE(std::filesystem::exists(dir / "queue" / queue_file_name(a)));
    EXPECT_TRUE(std::filesystem::exists(dir / "queue" / queue_file_name(b)));
    EXPECT_FALSE(std::filesystem::exists(dir / "queue" / (std::to_string(a) + ".msg")));
    EXPECT_TRUE(std::filesystem::exists(dir / "corrupt" / "12345.msg"));
    EXPECT_TRUE(again.read_body(b).has_value());
    EXPECT_EQ(again.recovered_through(), b);
}

// `bytes` written to a file, then `read` given its descriptor.
template <class Read>
auto read_written(const mailpush::test_support::TempDir& temp, const std::string& bytes, Read read) {
    const auto path = temp.path() / "f.msg";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    const int fd = ::open(path.c_str(), O_RDONLY);
    auto out = read(fd);
    ::close(fd);
    return out;
}

// The envelope is read without the body, with the same checks as decode_queue_file.
TEST(QueueFile, ReadingTheEnvelopeChecksLengthsAndTrailer) {
    const mailpush::test_support::TempDir temp{"mailpush-queue-entry"};
    QueueEntry e;
    e.envid = 42;
    smtp::Envelope env;
    env.mail_from = "a@b.test";
    env.recipients.push_back({std::string(5000, 'r') + "@long.test", "", ""}); // header > 4 KiB
    e.envelope = std::make_shared<const smtp::PackedEnvelope>(env);
    const auto file = encode_queue_file(e, "Subject: x\r\n\r\nbody\r\n");
    const auto read_back = [&](const std::string& bytes) {
        return read_written(temp, bytes, read_queue_entry);
    };
    const auto whole = read_back(file);
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->envid, 42u);
    EXPECT_EQ(whole->envelope->address(0).size(), 5010u);
    EXPECT_EQ(whole->size, decode_queue_file(file)->first.size);
    EXPECT_FALSE(read_back(file.substr(0, file.size() - 1))); // truncated
    EXPECT_FALSE(read_back(file + "x"));                      // longer than its lengths
    auto bad_trailer = file;
    bad_trailer[bad_trailer.size() - 2] = 'X';
    EXPECT_FALSE(read_back(bad_trailer));
    EXPECT_FALSE(read_back("MPQ1 99999999999 1\n"));
    EXPECT_FALSE(read_back(""));
}

// The body read straight into its string: small (inside the first page read) and large, behind
// a short and a long envelope; a damaged file gives nothing.
TEST(QueueFile, TheBodyIsReadWholeWithTheSameChecks) {
    const mailpush::test_support::TempDir temp{"mailpush-queue-body"};
    const auto read_back = [&](const std::string& bytes) {
        return read_written(temp, bytes, read_queue_body);
    };
    std::string large;
    for (int i = 0; large.size() < 300'000; ++i)
        large += "line " + std::to_string(i) + "\r\n";
    for (const std::size_t address : {10u, 5000u})
        for (const std::string& body : {std::string("Subject: x\r\n\r\nbody\r\n"), large, std::string()}) {
            QueueEntry e;
            e.envid = 7;
            smtp::Envelope env;
            env.recipients.push_back({std::string(address, 'r') + "@x.test", "", ""});
            e.envelope = std::make_shared<const smtp::PackedEnvelope>(env);
            const auto file = encode_queue_file(e, body);
            EXPECT_EQ(read_back(file), body);
            EXPECT_FALSE(read_back(file.substr(0, file.size() - 1)));
            EXPECT_FALSE(read_back(file + "x"));
        }
    EXPECT_FALSE(read_back(""));
}

// Small messages (a segment) and large ones (a file each): every fault fails the commit and
// leaves nothing behind; "rename" is a file's step only.
TEST_F(SpoolTest, InjectedFaultsFailTheCommit) {
    for (const char* fault : {"write", "fsync", "rename"})
        for (const bool large : {false, true}) {
            if (!large && std::string_view(fault) == "rename") continue;
            Spool s({dir, 1, 0, fault, "mx.test"});
            s.recover();
            s.start();
            EXPECT_FALSE(commit(s, large ? large_body('x') : "x\r\n").ok) << fault << large;
            EXPECT_EQ(s.size(), 0u);
            for (const auto& f : std::filesystem::recursive_directory_iterator(dir / "queue"))
                EXPECT_TRUE(f.is_directory()) << fault << ": " << f.path();
            EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp")) << fault;
            EXPECT_TRUE(std::filesystem::is_empty(dir / "segments")) << fault << large;
        }
}

// Small messages share a writer's segment: read back, removed with a done mark, recovered
// without the removed ones; a segment is deleted once sealed and empty.
TEST_F(SpoolTest, SmallMessagesShareASegment) {
    std::vector<std::uint64_t> ids;
    {
        Spool s({dir, 1, 0, "", "mx.test"});
        s.recover();
        s.start();
        ids = commit_three_small(s);
        ASSERT_TRUE(s.read_body(ids[1]));
        EXPECT_TRUE(s.read_body(ids[1])->ends_with("Subject: 1\r\n\r\nbody\r\n"));
        EXPECT_EQ(s.find(ids[0])->segment, s.find(ids[2])->segment);
        EXPECT_TRUE(s.remove(ids[1]));
        EXPECT_FALSE(s.read_body(ids[1]));
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "segments" / "1.seg"));
    EXPECT_EQ(parse_done_marks(file_text(dir / "segments" / "1.done")), std::vector<std::uint64_t>{ids[1]});
    Spool again({dir, 1, 0, "", "mx.test"});
    EXPECT_EQ(again.recover(), 2u);
    EXPECT_FALSE(again.contains(ids[1]));
    EXPECT_TRUE(again.read_body(ids[2])->ends_with("Subject: 2\r\n\r\nbody\r\n"));
    again.start();
    const auto next = commit(again, "later\r\n");
    EXPECT_EQ(again.find(next.envid)->segment, 2u); // a recovered segment is never appended to
    EXPECT_EQ(again.remove_many({ids[0], ids[2]}), 2u);
    EXPECT_FALSE(std::filesystem::exists(dir / "segments" / "1.seg"));
    EXPECT_FALSE(std::filesystem::exists(dir / "segments" / "1.done"));
    EXPECT_TRUE(std::filesystem::exists(dir / "segments" / "2.seg"));
}

// A damaged record is skipped and counted; the records after it, and an unfinished tail, are not
// lost or mistaken for messages.
TEST_F(SpoolTest, RecoverySkipsADamagedRecordAndAnUnfinishedTail) {
    std::vector<std::uint64_t> ids;
    {
        Spool s({dir, 1, 0, "", "mx.test"});
        s.recover();
        s.start();
        ids = commit_three_small(s);
    }
    const auto path = dir / "segments" / "1.seg";
    std::string bytes = file_text(path);
    const auto at = bytes.find("Subject: 0");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 9] = 'X';
    const auto tail = bytes.substr(0, bytes.find("MPR1 ", 1) + 40); // a record cut short
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes << tail;
    Spool again({dir, 1, 0, "", "mx.test"});
    EXPECT_EQ(again.recover(), 2u);
    EXPECT_FALSE(again.contains(ids[0]));
    EXPECT_TRUE(again.contains(ids[1]) && again.contains(ids[2]));
    EXPECT_EQ(again.damaged_segment_spans(), 1u);
}

// A writer starts a new segment once its current one is full; a segment that cannot be read goes
// to corrupt/ (it may hold acknowledged mail), marks of a segment already deleted are removed.
TEST_F(SpoolTest, SegmentsRotateAndAnUnreadableOneIsKept) {
    std::vector<std::uint64_t> ids;
    const std::string big(kMaxSegmentRecord - 4096, 'z');
    {
        Spool s({dir, 1, 0, "", "mx.test"});
        s.recover();
        s.start();
        for (std::uint64_t i = 0; i * (big.size() + 1024) <= kSegmentBytes; ++i)
            ids.push_back(commit(s, big + "\r\n").envid);
        EXPECT_EQ(s.find(ids.front())->segment, 1u);
        EXPECT_EQ(s.find(ids.back())->segment, 2u);
        EXPECT_TRUE(s.read_body(ids.back())->ends_with(big + "\r\n"));
    }
    std::filesystem::create_directory(dir / "segments" / "3.seg"); // read() fails: EISDIR
    std::ofstream(dir / "segments" / "9.done") << "1\n";
    std::ofstream(dir / "segments" / "01.seg") << "not a segment name";
    Spool again({dir, 1, 0, "", "mx.test"});
    EXPECT_EQ(again.recover(), ids.size());
    EXPECT_EQ(again.quarantined(), 1u);
    EXPECT_TRUE(std::filesystem::exists(dir / "corrupt" / "3.seg"));
    EXPECT_FALSE(std::filesystem::exists(dir / "segments" / "9.done"));
    again.start();
    EXPECT_EQ(again.find(commit(again, "x\r\n").envid)->segment, 10u); // above every number on disk
}

TEST(Segment, ScanFindsEveryWholeRecordAndNoPartOfOne) {
    std::string data;
    const auto first = append_segment_record(data, "one");
    const auto second = append_segment_record(data, "second record");
    const auto end = data.size();
    const auto whole = scan_segment(data);
    ASSERT_EQ(whole.records.size(), 2u);
    EXPECT_EQ(whole.records[0].offset, first);
    EXPECT_EQ(whole.records[0].file, "one");
    EXPECT_EQ(whole.records[1].offset, second);
    EXPECT_EQ(whole.records[1].file, "second record");
    for (std::size_t n = 0; n < end; ++n) {
        const auto cut = scan_segment(std::string_view(data).substr(0, n));
        EXPECT_EQ(cut.records.size(), n < first + 3 ? 0u : 1u) << n;
        EXPECT_EQ(cut.damaged_spans, 0u) << n;
        EXPECT_EQ(cut.tail_bytes, n < first + 3 ? n : n - first - 3) << n;
    }
    std::string flipped = data;
    flipped[first] = 'O';
    const auto damaged = scan_segment(flipped);
    ASSERT_EQ(damaged.records.size(), 1u);
    EXPECT_EQ(damaged.records[0].file, "second record");
    EXPECT_EQ(damaged.damaged_spans, 1u);
    EXPECT_TRUE(scan_segment(std::string(100, '\0')).records.empty());
}

TEST(Segment, DoneMarksIgnoreAnUnfinishedLine) {
    EXPECT_EQ(parse_done_marks("12\n34\nx\n56"), (std::vector<std::uint64_t>{12, 34}));
    EXPECT_EQ(parse_done_marks("\n12\n\n34\n"), (std::vector<std::uint64_t>{12, 34})); // as appended
    EXPECT_TRUE(parse_done_marks("").empty());
}

TEST_F(SpoolTest, StorageLowWhenBelowMinimum) {
    Spool low({dir, 1, ~0ULL, "", "mx.test"});
    EXPECT_TRUE(low.storage_low());
    Spool fine({dir, 1, 0, "", "mx.test"});
    EXPECT_FALSE(fine.storage_low());
}

} // namespace mailpush::spool
