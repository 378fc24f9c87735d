// The delivery log's tracking part: the links of a tracked message, stored before it is sent,
// and the statistics over the hits the tracking recorder writes (docs/tracking.md). Trusted
// input (the engine's links; queries checked by the API).
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/sqlite/sqlite.hpp"

namespace mailpush::delivery {
using sqlite::Statement;

void DeliveryLog::store_links(std::uint64_t envid, const std::vector<std::string>& urls,
                              std::int64_t now_ms) {
    store_links({MessageLinks{envid, urls, ""}}, now_ms);
}

void DeliveryLog::store_links(const std::vector<MessageLinks>& messages, std::int64_t now_ms) {
    sqlite::write_transaction(db_, [&] {
        for (const auto& m : messages) {
            const auto id = static_cast<std::int64_t>(m.envid);
            // The marker makes a message with no links (an open pixel only) count as tracked too.
            Statement mark(db_,
                           "INSERT OR IGNORE INTO tracked(envid, links, stored_ms, host) VALUES(?,?,?,?)");
            mark.bind(1, id)
                .bind(2, static_cast<std::int64_t>(m.urls.size()))
                .bind(3, now_ms)
                .bind(4, m.host);
            mark.step();
            for (std::size_t i = 0; i < m.urls.size(); ++i) {
                Statement link(db_, "INSERT OR IGNORE INTO tracked_links(envid, link, url) VALUES(?,?,?)");
                link.bind(1, id).bind(2, static_cast<std::int64_t>(i + 1)).bind(3, m.urls[i]);
                link.step();
            }
        }
    });
}

std::vector<TrackStatRow> DeliveryLog::track_stats(const TrackQuery& q) {
    // Inner query: one row per tracked recipient delivered in the window, with its hit counts;
    // the outer one sums them per day. Unique = recipients with at least one such hit.
    Statement st(db_, R"SQL(
SELECT day, count(*),
  sum(opens), sum(opens - machine_opens), sum(machine_opens),
  sum(opens > 0), sum(opens > machine_opens), sum(machine_opens > 0),
  sum(clicks), sum(clicks - machine_clicks), sum(machine_clicks),
  sum(clicks > 0), sum(clicks > machine_clicks), sum(machine_clicks > 0)
FROM (
  SELECT date(r.ended_ms / 1000 + ?, 'unixepoch') AS day,
    count(CASE WHEN h.kind = 'open' THEN 1 END) AS opens,
    count(CASE WHEN h.kind = 'open' AND h.machine = 1 THEN 1 END) AS machine_opens,
    count(CASE WHEN h.kind = 'click' THEN 1 END) AS clicks,
    count(CASE WHEN h.kind = 'click' AND h.machine = 1 THEN 1 END) AS machine_clicks
  FROM reports r JOIN tracked t ON t.envid = r.envid
  LEFT JOIN track_hits h ON h.envid = r.envid AND h.idx = r.idx
  WHERE r.account = ? AND r.status = 0 AND r.ended_ms >= ? AND r.ended_ms < ?
    AND (? = '' OR r.mail_from = ?) AND (? = '' OR r.tag = ?)
  GROUP BY r.envid, r.idx)
GROUP BY day ORDER BY day)SQL");
    st.bind(1, std::int64_t{q.utc_offset_minutes} * 60).bind(2, q.account);
    st.bind(3, q.window.from_ms).bind(4, q.window.to_ms);
    st.bind(5, q.mail_from).bind(6, q.mail_from).bind(7, q.tag).bind(8, q.tag);
    std::vector<TrackStatRow> out;
    while (st.step()) {
        auto count = [&](int col) {
            return TrackCount{st.integer(col), st.integer(col + 1), st.integer(col + 2)};
        };
        out.push_back({st.text(0), st.integer(1), count(2), count(5), count(8), count(11)});
    }
    return out;
}

std::vector<LinkStatRow> DeliveryLog::link_stats(const LinkQuery& q) {
    if (q.envid == 0 && q.tag.empty()) return {}; // one message or one tag, never the whole account
    Statement st(db_, R"SQL(
SELECT l.link, l.url, count(h.id), count(DISTINCT h.envid || ':' || h.idx),
  count(CASE WHEN h.machine = 1 THEN 1 END)
FROM tracked_links l
LEFT JOIN track_hits h ON h.envid = l.envid AND h.kind = 'click' AND h.link = l.link
WHERE l.envid IN (SELECT envid FROM reports WHERE account = ? AND (? = 0 OR envid = ?) AND (? = '' OR tag = ?))
GROUP BY l.link, l.url ORDER BY l.link, l.url)SQL");
    const auto envid = static_cast<std::int64_t>(q.envid);
    st.bind(1, q.account).bind(2, envid).bind(3, envid).bind(4, q.tag).bind(5, q.tag);
    std::vector<LinkStatRow> out;
    while (st.step())
        out.push_back({static_cast<std::uint32_t>(st.integer(0)), st.text(1), st.integer(2), st.integer(3),
                       st.integer(4)});
    return out;
}

} // namespace mailpush::delivery
