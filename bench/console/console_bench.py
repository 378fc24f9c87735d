"""Times every console page's data calls against a filled mailpushd (run-console.sh): signs in as
"bench", then calls each page's actions N times one after the other, as a browser does, and
prints p50, p95 and the slowest, in milliseconds. Usage: console_bench.py BASE_URL PASSWORD [N]"""
import http.cookiejar
import json
import sys
import time
import urllib.request

base, password = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def post(path, body, csrf=""):
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    with opener.open(req, timeout=60) as res:
        return json.loads(res.read())


csrf = post("/console/api/session", {"account": "bench", "password": password})["csrf"]


def ids(action, path, key):
    reply = post(f"/console/api/call/{action}", {"PageSize": 100}, csrf)
    for part in path:
        reply = reply[part]
    return reply[0][key]


domain_id = ids("QueryDomainByParam", ["data", "domain"], "DomainId")
list_id = ids("QueryReceiverByParam", ["data", "receiver"], "ReceiverId")
template_id = ids("QueryTemplateByParam", ["data", "template"], "TemplateId")
today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
week_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 - 6 * 86400))
month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 - 29 * 86400))
now_ms = int(time.time() * 1000)
for i in range(50):
    post("/console/api/call/CreateAlarmRule", {"RuleName": f"rule {i}", "Item": "smtp_auth_failed", "Period": 5,
                                                "Threshold": 100 + i}, csrf)
CALLS = [
    ("概览 overview", "DescAccountSummary", {}),
    ("概览 overview", "GetUser", {}),
    ("发信域名 domains", "QueryDomainByParam", {"PageSize": 100}),
    ("发信域名 domain", "DescDomain", {"DomainId": domain_id}),
    ("发信地址 addresses", "QueryMailAddressByParam", {"PageSize": 100}),
    ("邮件标签 tags", "QueryTagByParam", {"PageSize": 100}),
    ("收件人列表 lists", "QueryReceiverByParam", {"PageSize": 100}),
    ("收件人列表 members", "QueryReceiverDetail", {"ReceiverId": list_id, "PageSize": 100}),
    ("收件人列表 search", "QueryReceiverDetail", {"ReceiverId": list_id, "PageSize": 100, "KeyWord": "user99999"}),
    ("模板管理 templates", "QueryTemplateByParam", {"PageSize": 100}),
    ("模板管理 template", "DescTemplate", {"TemplateId": template_id}),
    ("模板管理 preview", "PreviewTemplate", {"TemplateId": template_id, "UserName": "张三"}),
    ("发送邮件 tasks", "QueryTaskByParam", {"PageSize": 50}),
    ("异步通知 notify", "QueryNotifyTargets", {}),
    ("IP 防护 ip", "GetIpProtection", {}),
    ("IP 防护 ip list", "GetIpfilterList", {"PageSize": 100}),
    ("发送数据 7 days", "SenderStatisticsByTagNameAndBatchID", {"StartTime": week_ago, "EndTime": today}),
    ("邮件跟踪 7 days", "GetTrackList", {"StartTime": week_ago, "EndTime": today, "PageSize": 100}),
    ("发送详情 30 days", "SenderStatisticsDetailByParam",
     {"StartTime": f"{month_ago} 00:00", "EndTime": f"{today} 23:59", "Length": 50}),
    ("发送详情 by recipient", "SenderStatisticsDetailByParam",
     {"StartTime": f"{month_ago} 00:00", "EndTime": f"{today} 23:59", "ToAddress": "user123456@example1.org",
      "Length": 50}),
    ("发送详情 by tag, failed", "SenderStatisticsDetailByParam",
     {"StartTime": f"{month_ago} 00:00", "EndTime": f"{today} 23:59", "TagName": "tag3", "Status": 4,
      "Length": 50}),
    ("无效地址 invalid", "QueryInvalidAddress", {"Length": 100}),
    ("抑制列表 suppression", "ListUserSuppression", {"PageSize": 100}),
    ("监控 1 hour (each chart)", "QueryMonitorData", {"Item": "smtp_auth_failed", "StartTime": now_ms - 3600000}),
    ("监控 1 day (each chart)", "QueryMonitorData", {"Item": "smtp_auth_failed", "StartTime": now_ms - 86400000}),
    ("监控 7 days (each chart)", "QueryMonitorData", {"Item": "api_success", "StartTime": now_ms - 7 * 86400000}),
    ("监控 14 days (each chart)", "QueryMonitorData", {"Item": "api_success", "StartTime": now_ms - 14 * 86400000 + 60000}),
    ("报警规则 50 rules", "QueryAlarmRules", {}),
]

print(f"{'page':28} {'call':38} {'p50':>7} {'p95':>7} {'max':>7}  (ms, {n} calls each)")
worst = 0.0
for page, action, params in CALLS:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        post(f"/console/api/call/{action}", params, csrf)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    worst = max(worst, p95)
    print(f"{page:28} {action:38} {times[len(times) // 2]:7.1f} {p95:7.1f} {times[-1]:7.1f}")
print(f"slowest p95: {worst:.1f} ms")
