// The spool: writer threads, group commit, envid reservation, recovery and the queue index.
// See docs/queue-format.md for the protocol this file implements.
#include "mailpush/spool/spool.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/durable_file.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/spool/segment.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <malloc.h>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <unordered_set>

namespace mailpush::spool {
namespace fs = std::filesystem;
namespace {
constexpr std::uint64_t kEnvidBlock = 10'000;
constexpr std::size_t kMaxBatch = kFilesPerWriter;
constexpr unsigned kQueueSubdirs = 256;
constexpr unsigned kRecoveryReaders = 16;            // reads in flight at start-up (I/O-bound when cold)
constexpr unsigned kSegmentReaders = 4;              // segments read at once at start-up (whole files)
constexpr std::uint64_t kReserveBytes = 32ULL << 20; // the reserve, at most min_free_bytes / 2

std::string subdir_name(unsigned index) {
    static constexpr char hex[] = "0123456789abcdef";
    return {hex[index >> 4], hex[index & 15]};
}
unsigned subdir_of(std::uint64_t envid) {
    return static_cast<unsigned>((envid >> 8) % kQueueSubdirs);
}

// fsyncs queue/xx for each subdirectory index in `dirs`; false if any fails.
bool sync_subdirs(int queue_dir_fd, const std::set<unsigned>& dirs) {
    bool ok = true;
    for (const auto d : dirs) {
        const int fd = ::openat(queue_dir_fd, subdir_name(d).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ok = fd >= 0 && common::sync_directory(fd) && ok;
        if (fd >= 0) ::close(fd);
    }
    return ok;
}

std::int64_t now_ms() {
    return common::unix_ms_now();
}

// Appends `len` bytes of `src` from `offset` to `dst`: in the kernel where the file system can,
// else through a buffer.
bool copy_range(int src, std::uint64_t offset, int dst, std::uint64_t len) {
    auto from = static_cast<off_t>(offset);
    while (len > 0) {
        const auto n = ::copy_file_range(src, &from, dst, nullptr, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EINVAL || errno == EXDEV || errno == EOPNOTSUPP || errno == ENOSYS)) break;
        if (n <= 0) return false;
        len -= static_cast<std::uint64_t>(n);
    }
    std::string buffer(std::min<std::uint64_t>(len, 1 << 20), '\0');
    while (len > 0) {
        const auto n = ::pread(src, buffer.data(), std::min<std::uint64_t>(len, buffer.size()), from);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || !common::write_all(dst, std::string_view(buffer.data(), static_cast<std::size_t>(n))))
            return false;
        from += n;
        len -= static_cast<std::uint64_t>(n);
    }
    return true;
}

} // namespace

std::string queue_file_name(std::uint64_t envid) {
    return subdir_name(subdir_of(envid)) + "/" + std::to_string(envid) + ".msg";
}

Spool::Spool(SpoolOptions options)
    : opt_(std::move(options))
    , inflight_(opt_.max_inflight_bytes)
    , tmp_dir_(opt_.dir / "tmp")
    , queue_dir_(opt_.dir / "queue")
    , corrupt_dir_(opt_.dir / "corrupt")
    , segment_dir_(opt_.dir / "segments") {
    fs::create_directories(opt_.dir);
    if (const auto free_bytes = free_space()) { // before anything here or in SQLite needs space
        low_ = *free_bytes < opt_.min_free_bytes;
        at_start_ = true; // a start below the minimum: the databases get the reserve at once
        tend_reserve(*free_bytes);
        at_start_ = false;
    }
    const bool made_segments = !fs::exists(segment_dir_);
    for (const auto& d : {tmp_dir_, queue_dir_, corrupt_dir_, segment_dir_})
        fs::create_directories(d);
    if (made_segments) common::sync_directory(opt_.dir); // a segment's name is synced into it
    queue_dir_fd_ = ::open(queue_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (queue_dir_fd_ < 0) throw std::runtime_error("cannot open " + queue_dir_.string());
    segment_dir_fd_ = ::open(segment_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (segment_dir_fd_ < 0) throw std::runtime_error("cannot open " + segment_dir_.string());
    bool made = false;
    for (unsigned d = 0; d < kQueueSubdirs; ++d)
        made = fs::create_directory(queue_dir_ / subdir_name(d)) || made;
    if (made) common::sync_directory(queue_dir_fd_);
}

fs::path Spool::message_path(std::uint64_t envid) const {
    return queue_dir_ / queue_file_name(envid);
}

Spool::~Spool() {
    stop();
    if (queue_dir_fd_ >= 0) ::close(queue_dir_fd_);
    if (segment_dir_fd_ >= 0) ::close(segment_dir_fd_);
}

std::size_t Spool::recover() {
    for (const auto& e : fs::directory_iterator(tmp_dir_))
        fs::remove(e.path());
    std::uint64_t max_envid = 0;
    std::size_t recovered = 0;
    recover_segments(max_envid, recovered); // before the file readers start: it may throw
    // Reading is the slow part of a cold start (one random read per file): the subdirectories
    // are read by several threads at once. The headers are parsed here, on this thread, so the
    // index's memory is not spread over the readers' heaps (their buffers are given back after).
    struct Found {
        fs::path path;
        std::optional<unsigned> in_subdir; // none: the flat layout of older versions
        std::optional<QueueHeader> header; // none: damaged
    };
    const auto read_one = [](const fs::path& path, std::optional<unsigned> in_subdir) {
        Found f{path, in_subdir, std::nullopt};
        if (const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
            f.header = read_queue_header(fd);
            ::close(fd);
        }
        return f;
    };
    std::vector<std::vector<Found>> found(kQueueSubdirs + 1); // [kQueueSubdirs]: the flat files
    for (const auto& e : fs::directory_iterator(queue_dir_))
        if (e.is_regular_file() && e.path().extension() == ".msg")
            found[kQueueSubdirs].push_back(read_one(e.path(), std::nullopt));
    // The readers take the subdirectories in order; this thread applies each as soon as it is
    // read (parsing overlaps the reading), then the flat files.
    std::atomic<unsigned> next_subdir{0};
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::vector<bool> done(kQueueSubdirs, false);
    std::vector<std::thread> readers;
    for (unsigned t = 0; t < kRecoveryReaders; ++t)
        readers.emplace_back([&] {
            for (unsigned d; (d = next_subdir++) < kQueueSubdirs;) {
                std::error_code ec;
                for (fs::directory_iterator it(queue_dir_ / subdir_name(d), ec), end; !ec && it != end;
                     it.increment(ec))
                    if (it->path().extension() == ".msg") found[d].push_back(read_one(it->path(), d));
                {
                    std::lock_guard lock(done_mutex);
                    done[d] = true;
                }
                done_cv.notify_all();
            }
        });

    std::set<unsigned> moved_into; // files of the flat layout go to their subdirectory
    for (unsigned d = 0; d <= kQueueSubdirs; ++d) {
        if (d < kQueueSubdirs) {
            std::unique_lock lock(done_mutex);
            done_cv.wait(lock, [&] { return done[d]; });
        }
        for (auto& f : found[d]) {
            auto entry = f.header ? parse_queue_header(*f.header) : std::nullopt;
            f.header.reset();
            std::error_code ec; // no throwing while the readers run; a failed move leaves the file
            if (!entry || f.path.stem().string() != std::to_string(entry->envid)) {
                fs::rename(f.path, corrupt_dir_ / f.path.filename(), ec);
                ++quarantined_;
                continue;
            }
            if (index_.contains(entry->envid)) continue; // the same envid twice: the first one stays
            if (f.in_subdir != subdir_of(entry->envid)) {
                fs::rename(f.path, message_path(entry->envid), ec);
                if (ec) continue; // not where read_body looks: left for the next start
                moved_into.insert(subdir_of(entry->envid));
            }
            max_envid = std::max(max_envid, entry->envid);
            const auto envid = entry->envid;
            index_.emplace(envid, std::move(*entry));
            ++recovered;
        }
        found[d] = {};
    }
    for (auto& t : readers)
        t.join();
    found = {};
    ::malloc_trim(0); // the readers' arenas give back what the results took
    sync_subdirs(queue_dir_fd_, moved_into);
    common::sync_directory(queue_dir_fd_);
    recovered_through_ = max_envid;
    // envid reservation: continue after the stored block end, the largest id seen, and the clock.
    std::uint64_t start = static_cast<std::uint64_t>(std::time(nullptr)) * 100;
    std::ifstream next_file(opt_.dir / "envid.next");
    std::uint64_t stored = 0;
    if (next_file >> stored) start = std::max(start, stored);
    start = std::max(start, max_envid + 1);
    next_envid_ = start;
    reserved_end_ = start;
    return recovered;
}

void Spool::reserve_block(std::uint64_t end) {
    const auto path = opt_.dir / "envid.next";
    if (const auto ec = common::write_file_durably(path, std::to_string(end) + "\n"))
        throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
    reserved_end_ = end;
}

std::uint64_t Spool::allocate_envid() {
    std::lock_guard lock(envid_mutex_);
    if (next_envid_ >= reserved_end_) reserve_block(next_envid_ + kEnvidBlock);
    return next_envid_++;
}

void Spool::start() {
    std::lock_guard lock(jobs_mutex_);
    stopping_ = false;
    for (unsigned i = 0; i < opt_.writers; ++i)
        writers_.emplace_back([this] { writer_loop(); });
}

void Spool::stop() {
    {
        std::lock_guard lock(jobs_mutex_);
        stopping_ = true;
    }
    jobs_cv_.notify_all();
    for (auto& t : writers_)
        t.join();
    writers_.clear();
}

void Spool::submit(CommitRequest request, CommitCallback done) {
    {
        std::lock_guard lock(jobs_mutex_);
        if (stopping_) { // no writer will take it: refuse now rather than never answer
            done(smtp::CommitResult{false, 0, std::nullopt});
            return;
        }
        Job job;
        job.request = std::move(request);
        job.done = std::move(done);
        jobs_.push_back(std::move(job));
    }
    jobs_cv_.notify_one();
}

void Spool::writer_loop() {
    OpenSegment segment;
    for (;;) {
        std::vector<Job> batch;
        {
            std::unique_lock lock(jobs_mutex_);
            jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) break; // stopping and drained
            while (!jobs_.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(jobs_.front()));
                jobs_.pop_front();
            }
        }
        commit_batch(batch, segment);
    }
    seal_segment(segment);
}

bool Spool::write_file(Job& job, std::string& records) {
    QueueEntry& entry = job.entry;
    entry.envid = job.envid;
    entry.envelope = std::make_shared<const smtp::PackedEnvelope>(job.request.envelope, job.request.peer_ip);
    job.request.envelope = {};
    entry.received_at_ms = now_ms();
    const auto& env = *entry.envelope;
    smtp::TraceInfo trace{
        opt_.hostname,
        std::string(env.helo()),
        std::string(env.peer()),
        env.tls() ? "ESMTPSA" : "ESMTPA",
        std::to_string(job.envid),
        common::format_time(common::UnixSeconds{std::chrono::seconds{entry.received_at_ms / 1000}},
                            common::TimeFormat::rfc5322_utc),
        "<" + common::random_hex(8) + "." + std::to_string(job.envid) + "@" + opt_.hostname + ">"};
    if (job.request.spilled) return write_spilled(job, trace);
    const std::string body = smtp::add_trace_headers(job.request.body, trace);
    std::string().swap(job.request.body);
    entry.size = body.size();
    const std::string file = encode_queue_file(entry, body);
    if (file.size() <= kMaxSegmentRecord) { // into the writer's segment with the batch's others
        if (opt_.fault_injection == "write") return false;
        const auto at = append_segment_record(records, file);
        entry.body_offset = at + (file.size() - body.size() - queue_file_trailer().size());
        job.in_segment = true;
        return true;
    }

    job.tmp_path = (tmp_dir_ / (std::to_string(job.envid) + ".msg")).string();
    job.fd = ::open(job.tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (job.fd < 0) return false;
    if (opt_.fault_injection == "write" || !common::write_all(job.fd, file)) return false;
    // Start writeback now; commit_batch waits for it with fdatasync once every file is written.
    common::start_writeback(job.fd);
    return true;
}

// The file already holds the body's first part after its room (BodyFile): the room gets the
// header and trace fields, the end the rest and the trailer, and the same file is renamed. An
// envelope grown past the room (a recipient list's members) gets a new file instead, the first
// part copied by the kernel.
bool Spool::write_spilled(Job& job, const smtp::TraceInfo& trace) {
    auto& file = *job.request.spilled;
    QueueEntry& entry = job.entry;
    const std::string prefix = smtp::trace_prefix(job.request.head, trace);
    std::string end = std::move(job.request.body);
    end += queue_file_trailer();
    entry.size = prefix.size() + file.size() + end.size() - queue_file_trailer().size();
    if (opt_.fault_injection == "write") return false;
    if (file.room() > prefix.size()) {
        if (auto head = queue_file_head(entry, file.room() - prefix.size()); !head.empty()) {
            job.tmp_path = file.path();
            file.taken_ = true; // renamed or removed by commit_batch from here on
            job.fd = ::open(job.tmp_path.c_str(), O_WRONLY | O_CLOEXEC);
            if (job.fd < 0) return false;
            head += prefix;
            if (!common::pwrite_all(job.fd, head, 0) ||
                !common::pwrite_all(job.fd, end, file.room() + file.size()))
                return false;
            common::start_writeback(job.fd);
            return true;
        }
    }
    const common::OwnedFd src(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!src) return false;
    job.tmp_path = (tmp_dir_ / (std::to_string(job.envid) + ".msg")).string();
    job.fd = ::open(job.tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = job.fd >= 0 && common::write_all(job.fd, queue_file_head(entry, 0) + prefix);
    ok = ok && copy_range(src.get(), file.room(), job.fd, file.size());
    ok = ok && common::write_all(job.fd, end);
    if (ok) common::start_writeback(job.fd);
    return ok;
}

std::unique_ptr<BodyFile> Spool::open_body_file(const smtp::Envelope& envelope, std::string_view peer_ip) {
    // The room: this envelope's header with the widest numbers, the trace fields at their
    // longest, and some slack for what the commit adds (X-AliDM-Settings); whole pages.
    QueueEntry widest;
    widest.envid = std::numeric_limits<std::uint64_t>::max();
    widest.envelope = std::make_shared<const smtp::PackedEnvelope>(envelope, peer_ip);
    widest.received_at_ms = std::numeric_limits<std::int64_t>::max();
    widest.size = std::numeric_limits<std::uint64_t>::max();
    const std::string digits(20, '9');
    const smtp::TraceInfo trace{opt_.hostname,
                                envelope.helo,
                                std::string(peer_ip),
                                "ESMTPSA",
                                digits,
                                std::string(40, 'x'),
                                "<" + std::string(16, 'f') + "." + digits + "@" + opt_.hostname + ">"};
    const std::uint64_t need =
        queue_file_head(widest, 0).size() + 20 + smtp::trace_prefix("", trace).size() + 1024;
    const std::uint64_t room = (need + 4095) / 4096 * 4096;
    auto path = (tmp_dir_ / ("body-" + common::random_hex(12) + ".part")).string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return nullptr;
    ::close(fd);
    return std::unique_ptr<BodyFile>(new BodyFile(std::move(path), room, opt_.fault_injection == "write"));
}

bool Spool::sync_file(Job& job) {
    bool ok = opt_.fault_injection != "fsync" && common::sync_data(job.fd);
    ok = (::close(job.fd) == 0) && ok;
    job.fd = -1;
    return ok;
}

// Group commit: write every file of the batch and start its writeback, then fdatasync each
// (the first sync's journal commit usually covers the others), rename them all, and make the
// renames durable with one directory fsync. Only then is any job reported ok.
void Spool::commit_batch(std::vector<Job>& batch, OpenSegment& segment) {
    std::string records; // the small messages' records, written to the segment at once
    for (auto& job : batch) {
        const auto before = records.size();
        try {
            job.envid = allocate_envid();
            job.ok = write_file(job, records);
        } catch (const std::exception&) {
            job.ok = false;
            job.in_segment = false;
            records.resize(before); // no part of a failed job's record is written
        }
    }
    if (!records.empty()) {
        const auto base = append_to_segment(segment, records, batch); // where the records landed
        for (auto& job : batch) {
            if (!job.in_segment) continue;
            job.ok = job.ok && base;
            job.entry.segment = segment.number;
            job.entry.body_offset += base.value_or(0);
        }
    }
    std::set<unsigned> renamed_into;
    for (auto& job : batch) {
        if (job.in_segment) continue;
        if (job.fd >= 0) job.ok = sync_file(job) && job.ok;
        if (job.ok) {
            const auto final_path = message_path(job.envid);
            job.ok =
                opt_.fault_injection != "rename" && ::rename(job.tmp_path.c_str(), final_path.c_str()) == 0;
            if (job.ok) renamed_into.insert(subdir_of(job.envid));
        }
        if (!job.ok && !job.tmp_path.empty()) ::unlink(job.tmp_path.c_str());
    }
    // One fsync per directory makes every rename of the batch durable (group commit): the batch's
    // envids are consecutive, so that is one directory, or two.
    if (!renamed_into.empty() && !sync_subdirs(queue_dir_fd_, renamed_into)) {
        for (auto& job : batch) {
            if (!job.ok) continue;
            ::unlink(message_path(job.envid).c_str());
            job.ok = false;
        }
    }
    for (auto& job : batch) {
        if (job.ok) {
            std::lock_guard lock(index_mutex_);
            if (job.in_segment) ++segments_[job.entry.segment].live;
            index_.emplace(job.envid, std::move(job.entry));
        }
        job.request.spilled.reset(); // a first file copied into a new one is removed before the reply
        job.done(smtp::CommitResult{job.ok, job.ok ? job.envid : 0, std::nullopt});
    }
}

// A writer's segment: created (and its name made durable) when the writer first needs one or its
// current one is full, then appended to batch by batch, each batch synced before any of its
// messages is reported ok.
std::optional<std::uint64_t> Spool::append_to_segment(OpenSegment& segment, std::string_view records,
                                                      const std::vector<Job>& batch) {
    if (segment.fd >= 0 && segment.size + records.size() > kSegmentBytes) seal_segment(segment);
    if (segment.fd < 0 && !open_segment(segment)) return std::nullopt;
    const auto base = segment.size;
    if (common::pwrite_all(segment.fd, records, base) && opt_.fault_injection != "fsync" &&
        common::sync_data(segment.fd)) {
        segment.size += records.size();
        return base;
    }
    // Whatever of the batch reached the disk is cut off again, durably; failing that, its
    // messages are marked done, so none of them (each answered 451) comes back after a restart.
    // No later batch is appended behind it.
    if (::ftruncate(segment.fd, static_cast<off_t>(base)) != 0 || !common::sync_data(segment.fd)) {
        std::string lines;
        for (const auto& job : batch)
            if (job.in_segment) lines += std::to_string(job.envid) + "\n";
        std::lock_guard lock(marks_mutex_);
        write_marks(segment.number, lines, true);
    }
    seal_segment(segment);
    return std::nullopt;
}

bool Spool::open_segment(OpenSegment& segment) {
    const auto number = next_segment_++;
    const auto name = segment_file_name(number);
    const int fd = ::openat(segment_dir_fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    if (!common::sync_directory(segment_dir_fd_)) { // the name must outlive a crash before any record
        ::close(fd);
        ::unlinkat(segment_dir_fd_, name.c_str(), 0);
        return false;
    }
    {
        std::lock_guard lock(index_mutex_);
        segments_[number] = SegmentUse{};
    }
    segment = OpenSegment{number, fd, 0};
    return true;
}

// No more records go into the segment; it is deleted once its last message leaves the index.
void Spool::seal_segment(OpenSegment& segment) {
    if (segment.fd < 0) return;
    ::close(segment.fd);
    bool empty = false;
    {
        std::lock_guard lock(index_mutex_);
        auto& use = segments_[segment.number];
        use.sealed = true;
        empty = use.live == 0;
        if (empty) segments_.erase(segment.number);
    }
    if (empty) {
        std::lock_guard lock(marks_mutex_);
        delete_segment(segment.number);
    }
    segment = OpenSegment{};
}

void Spool::write_marks(std::uint32_t number, const std::string& lines, bool durable) {
    {
        std::lock_guard lock(index_mutex_);
        if (!segments_.contains(number)) return; // deleted meanwhile, and its marks with it
    }
    const common::OwnedFd fd(::openat(segment_dir_fd_, segment_done_name(number).c_str(),
                                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    // A leading newline ends a line a crash may have left unfinished (empty lines are skipped).
    if (fd && common::write_all(fd.get(), "\n" + lines) && durable) common::sync_data(fd.get());
}

// The segment goes before its done marks, durably: a crash between the two must not bring back
// messages whose removal only the marks remember. Under marks_mutex_ (or alone, at recovery).
void Spool::delete_segment(std::uint32_t number) {
    ::unlinkat(segment_dir_fd_, segment_file_name(number).c_str(), 0);
    common::sync_directory(segment_dir_fd_);
    ::unlinkat(segment_dir_fd_, segment_done_name(number).c_str(), 0);
}

// Every segment is read whole (its records are small and contiguous), on a few threads, and
// every record's checksum verified; the headers are parsed here. A record listed in the
// segment's done marks was removed. A segment left with no message is deleted; one that cannot
// be read whole goes to corrupt/ with its marks (never deleted: it holds acknowledged mail).
void Spool::recover_segments(std::uint64_t& max_envid, std::size_t& recovered) {
    std::vector<std::uint32_t> numbers;
    std::set<std::uint32_t> marked; // numbers of the done files
    std::uint32_t highest = 0;
    std::error_code ec;
    for (fs::directory_iterator it(segment_dir_, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        const bool seg = name.ends_with(".seg"), done = name.ends_with(".done");
        if (!seg && !done) continue;
        const auto parsed = common::parse_u64(it->path().stem().string());
        if (!parsed || *parsed == 0 || *parsed > std::numeric_limits<std::uint32_t>::max()) continue;
        const auto number = static_cast<std::uint32_t>(*parsed);
        if (name != (seg ? segment_file_name(number) : segment_done_name(number))) continue; // "01.seg"
        highest = std::max(highest, number);
        if (seg)
            numbers.push_back(number);
        else
            marked.insert(number);
    }
    if (ec) throw std::runtime_error("cannot read " + segment_dir_.string() + ": " + ec.message());
    std::sort(numbers.begin(), numbers.end());
    for (const auto number : marked) // marks of a segment deleted before a crash took them along
        if (!std::binary_search(numbers.begin(), numbers.end(), number))
            ::unlinkat(segment_dir_fd_, segment_done_name(number).c_str(), 0);
    next_segment_ = highest + 1;
    struct Record {
        QueueHeader header;
        std::uint64_t body_offset = 0;
    };
    struct Found {
        bool readable = true;
        std::vector<Record> records;
        std::unordered_set<std::uint64_t> done;
        std::size_t damaged = 0;
        std::uint64_t tail = 0;
    };
    std::vector<Found> found(numbers.size());
    // The whole file; "" when it does not exist (a segment without marks), nullopt on an error.
    const auto read_whole = [this](const std::string& name) -> std::optional<std::string> {
        std::string text;
        const common::OwnedFd fd(::openat(segment_dir_fd_, name.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return errno == ENOENT ? std::optional<std::string>(text) : std::nullopt;
        if (struct stat st{}; ::fstat(fd.get(), &st) == 0 && st.st_size > 0)
            text.reserve(static_cast<std::size_t>(st.st_size));
        char buffer[1 << 16];
        for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return std::nullopt;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        return text;
    };
    // The readers take the segments in order; this thread parses each as soon as it is read, so
    // only the headers of the segments in between are held at once. Nothing below throws while
    // they run (their results are plain data; a failed allocation ends the process either way).
    std::atomic<std::size_t> next{0};
    std::mutex ready_mutex;
    std::condition_variable ready_cv;
    std::vector<bool> ready(numbers.size(), false);
    std::vector<std::thread> readers;
    for (unsigned t = 0; t < std::min<std::size_t>(kSegmentReaders, numbers.size()); ++t)
        readers.emplace_back([&] {
            for (std::size_t i; (i = next++) < numbers.size();) {
                const auto data = read_whole(segment_file_name(numbers[i]));
                const auto marks = read_whole(segment_done_name(numbers[i]));
                if (!data || !marks) {
                    found[i].readable = false;
                } else {
                    const auto scan = scan_segment(*data);
                    found[i].damaged = scan.damaged_spans;
                    found[i].tail = scan.tail_bytes;
                    for (const auto& r : scan.records) {
                        std::size_t body_at = 0;
                        if (auto header = split_queue_file(r.file, body_at))
                            found[i].records.push_back({std::move(*header), r.offset + body_at});
                        else
                            ++found[i].damaged; // a sound checksum over a file that does not parse
                    }
                    for (const auto envid : parse_done_marks(*marks))
                        found[i].done.insert(envid);
                }
                {
                    std::lock_guard lock(ready_mutex);
                    ready[i] = true;
                }
                ready_cv.notify_all();
            }
        });
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        {
            std::unique_lock lock(ready_mutex);
            ready_cv.wait(lock, [&] { return ready[i]; });
        }
        if (!found[i].readable) {
            std::error_code move_ec; // left in place if it cannot be moved: read again next time
            fs::rename(segment_dir_ / segment_file_name(numbers[i]),
                       corrupt_dir_ / segment_file_name(numbers[i]), move_ec);
            fs::rename(segment_dir_ / segment_done_name(numbers[i]),
                       corrupt_dir_ / segment_done_name(numbers[i]), move_ec);
            ++quarantined_;
            continue;
        }
        std::size_t live = 0;
        damaged_spans_ += found[i].damaged;
        tail_bytes_ += found[i].tail;
        for (auto& r : found[i].records) {
            auto entry = parse_queue_header(r.header);
            if (!entry) {
                ++damaged_spans_;
                continue;
            }
            if (found[i].done.contains(entry->envid) || index_.contains(entry->envid)) continue;
            entry->segment = numbers[i];
            entry->body_offset = r.body_offset;
            max_envid = std::max(max_envid, entry->envid);
            index_.emplace(entry->envid, std::move(*entry));
            ++live;
            ++recovered;
        }
        found[i] = {};
        if (live == 0)
            delete_segment(numbers[i]);
        else
            segments_[numbers[i]] = SegmentUse{live, true};
    }
    for (auto& t : readers)
        t.join();
}

bool Spool::storage_low() {
    const auto now = now_ms();
    if (now - low_checked_ms_.load(std::memory_order_relaxed) >= 1000) {
        std::unique_lock lock(reserve_mutex_,
                              std::try_to_lock); // one thread looks; the others use the last answer
        if (lock.owns_lock()) {
            if (const auto free_bytes = free_space()) {
                low_.store(*free_bytes < opt_.min_free_bytes, std::memory_order_relaxed);
                tend_reserve(*free_bytes);
            }
            low_checked_ms_.store(now, std::memory_order_relaxed);
        }
    }
    return low_.load(std::memory_order_relaxed);
}

std::optional<std::uint64_t> Spool::free_space() const {
    struct statvfs st {};
    if (::statvfs(opt_.dir.c_str(), &st) != 0) return std::nullopt;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

// The reserve: space held back while there is plenty and given back once the file system is
// nearly full (less free than the reserve's size) or the delivery log cannot write, so the
// databases can still record results, and open at all after a restart. Made again only with room
// to spare (twice its size above the minimum). At most half the minimum, so giving it back never
// lifts the spool out of "low" by itself. A file of the wrong size (cut short by a crash, or left
// from another setting) is replaced.
void Spool::tend_reserve(std::uint64_t free_bytes) {
    const auto size = reserve_size();
    const auto path = opt_.dir / "reserve";
    std::error_code ec;
    const auto have = fs::file_size(path, ec);
    const bool present = !ec;
    if (present && have != size) {
        fs::remove(path, ec);
        return tend_reserve(free_bytes + have);
    }
    if (size == 0) return;
    if (free_bytes < size || (at_start_ && free_bytes < opt_.min_free_bytes)) {
        if (present && fs::remove(path, ec)) reserve_released_ = true;
        return;
    }
    if (present || free_bytes < opt_.min_free_bytes + 2 * size) return;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return;
    // fallocate(2), not posix_fallocate: where the file system cannot reserve blocks there is no
    // reserve, rather than a slow write of every block on an SMTP thread.
    const bool ok = ::fallocate(fd, 0, 0, static_cast<off_t>(size)) == 0;
    ::close(fd);
    if (!ok) fs::remove(path, ec);
}

void Spool::release_reserve() {
    std::lock_guard lock(reserve_mutex_);
    std::error_code ec;
    if (fs::remove(opt_.dir / "reserve", ec)) reserve_released_ = true;
}

std::uint64_t Spool::reserve_size() const { // half the minimum at most: given back, it leaves the spool low
    return std::min<std::uint64_t>(kReserveBytes, opt_.min_free_bytes / 2);
}

std::vector<QueueEntry> Spool::list_after(std::uint64_t after, std::size_t limit) const {
    return page(after, limit, [](const QueueEntry&) { return true; }).entries;
}

Spool::Page Spool::page(std::uint64_t after, std::size_t limit,
                        const std::function<bool(const QueueEntry&)>& match) const {
    constexpr std::size_t kScanRun = 4096; // entries looked at per hold of the lock
    Page out;
    bool at_end = false;
    while (!at_end && out.entries.size() <= limit) {
        std::lock_guard lock(index_mutex_);
        auto it = index_.upper_bound(after);
        for (std::size_t n = 0; n < kScanRun && it != index_.end() && out.entries.size() <= limit;
             ++n, ++it) {
            after = it->first;
            if (match(it->second)) out.entries.push_back(it->second);
        }
        at_end = it == index_.end();
    }
    out.more = out.entries.size() > limit;
    if (out.more) out.entries.resize(limit);
    return out;
}

bool Spool::contains(std::uint64_t envid) const {
    std::lock_guard lock(index_mutex_);
    return index_.contains(envid);
}

std::optional<QueueEntry> Spool::find(std::uint64_t envid) const {
    std::lock_guard lock(index_mutex_);
    const auto it = index_.find(envid);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> Spool::read_body(std::uint64_t envid) const {
    std::uint32_t segment = 0;
    std::uint64_t offset = 0, size = 0;
    {
        std::lock_guard lock(index_mutex_);
        if (const auto it = index_.find(envid); it != index_.end()) {
            segment = it->second.segment;
            offset = it->second.body_offset;
            size = it->second.size;
        }
    }
    const common::OwnedFd fd(
        segment ? ::openat(segment_dir_fd_, segment_file_name(segment).c_str(), O_RDONLY | O_CLOEXEC)
                : ::open(message_path(envid).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    if (!segment) return read_queue_body(fd.get());
    std::string body(static_cast<std::size_t>(size), '\0');
    if (!common::pread_all(fd.get(), body.data(), body.size(), offset)) return std::nullopt;
    return body;
}

bool Spool::remove(std::uint64_t envid) {
    return remove_many({envid}, true) == 1;
}

std::size_t Spool::remove_many(const std::vector<std::uint64_t>& envids, bool durable) {
    if (envids.empty()) return 0;
    std::set<unsigned> dirs;
    std::map<std::uint32_t, std::string> marks; // per segment: the envids removed from it
    std::vector<std::uint32_t> emptied;
    std::size_t indexed = 0;
    for (auto envid : envids) {
        std::uint32_t segment = 0;
        {
            std::lock_guard lock(index_mutex_);
            const auto it = index_.find(envid);
            if (it != index_.end()) {
                segment = it->second.segment;
                index_.erase(it);
                ++indexed;
            }
            if (const auto use = segments_.find(segment); segment && use != segments_.end()) {
                --use->second.live;
                if (use->second.live == 0 && use->second.sealed) {
                    segments_.erase(use);
                    emptied.push_back(segment);
                }
            }
        }
        if (segment) {
            marks[segment] += std::to_string(envid) + "\n";
            continue;
        }
        ::unlink(message_path(envid).c_str());
        dirs.insert(subdir_of(envid));
    }
    {
        // Not synced unless `durable`: when the engine removes a finished message the delivery
        // log, synced, already holds every recipient's final state, which recovery reads; the
        // kernel writes the marks back long before that log forgets a message.
        std::lock_guard lock(marks_mutex_);
        for (const auto& [segment, lines] : marks)
            write_marks(segment, lines, durable); // a segment emptied here is gone from segments_
        for (const auto segment : emptied)
            delete_segment(segment);
    }
    sync_subdirs(queue_dir_fd_, dirs);
    return indexed;
}

std::size_t Spool::size() const {
    std::lock_guard lock(index_mutex_);
    return index_.size();
}

} // namespace mailpush::spool
