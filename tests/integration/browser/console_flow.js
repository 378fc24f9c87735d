// Drives the mailpush console in headless Chromium (Debian's /usr/bin/chromium) as a user would,
// one scenario per run, and prints one JSON line of what it saw: each step's findings, every
// uncaught JS error and console error, every request to a host other than the server's, and
// axe-core's serious or critical violations on each page visited.
// usage: node console_flow.js '{"scenario": "...", "base": "http://127.0.0.1:PORT", ...}'
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

async function audit(page, out, name) {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource + ";0");
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  out.axe[name] = result;
}

async function shoot(page, spec, name) {
  if (!spec.screenshots) return;
  fs.mkdirSync(spec.screenshots, { recursive: true });
  await page.screenshot({ path: path.join(spec.screenshots, `${name}.png`), fullPage: true });
}

async function signIn(page, spec, account, password) {
  await page.goto(`${spec.base}/console/`);
  await page.getByLabel(spec.lang === "en" ? "Account name" : "账号名").fill(account);
  await page.getByLabel(spec.lang === "en" ? "Console password" : "控制台密码").fill(password);
  await page.locator("form button[type=submit]").click();
}


// A fresh document per page: after a change of the hash alone, the last page's heading (and its
// loaded state) would still be there for a moment and pass the waits below.
async function visit(page, spec, out, route, name) {
  await page.goto(`${spec.base}/console/#/${route}`);
  await page.reload();
  await page.locator("main h1").waitFor();
  await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
  await audit(page, out, name);
  await shoot(page, spec, name);
}

const scenarios = {
  // Sign-in (a wrong password first), a domain added and its records shown, an address created
  // and given a password the policy refuses, then one it accepts; every page audited.
  async account(page, spec, out) {
    await signIn(page, spec, spec.account, "Wrong-password-1");
    out.wrong_password_message = await page.locator("[role=alert]").innerText();
    await shoot(page, spec, "signin");
    await audit(page, out, "signin");
    await page.locator("#signin-password").fill(spec.password);
    await page.locator("form button[type=submit]").click();
    await page.locator("nav a[aria-current=page]").waitFor();
    out.signed_in_heading = await page.locator("main h1").innerText();
    await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
    out.daily_used = await page.locator("[data-testid=daily-used]").innerText();
    await audit(page, out, "overview");
    await shoot(page, spec, "overview");

    await page.goto(`${spec.base}/console/#/domains`);
    await page.locator("#domain-name").fill(spec.domain);
    await page.locator("form.inline button[type=submit]").click();
    await page.locator("[data-testid=domain-name]").waitFor();
    out.domain_url = page.url();
    out.domain_heading = await page.locator("[data-testid=domain-name]").innerText();
    out.records = await page.$$eval("table.records tbody tr", (rows) =>
      rows.map((r) => ({
        purpose: r.dataset.purpose,
        cells: [...r.querySelectorAll("td")].map((td) => td.innerText.trim()),
        copy_buttons: r.querySelectorAll("button").length,
      })),
    );
    await audit(page, out, "domain");
    await shoot(page, spec, "domain");
    await visit(page, spec, out, "domains", "domains");

    await page.goto(`${spec.base}/console/#/addresses`);
    await page.locator("#new-address").fill(spec.address);
    await page.locator("form.inline button[type=submit]").first().click();
    const row = page.locator(`li[data-address="${spec.address}"]`);
    await row.waitFor();
    const password = row.locator("input[type=password]");
    await password.fill("short");
    out.policy_refusal = await row.locator("[data-testid=policy]").innerText();
    await password.fill(spec.smtp_password);
    await row.locator("[data-testid=policy].ok").waitFor();
    out.policy_accepted = await row.locator("[data-testid=policy]").innerText();
    await row.locator("form.inline button[type=submit]").first().click();
    await row.locator("[role=status]").filter({ hasText: /密码已设置|Password set/ }).waitFor();
    out.password_saved = true;
    out.deletions = await page.locator("[data-testid=deletions]").innerText();
    await audit(page, out, "addresses");
    await shoot(page, spec, "addresses");
    await visit(page, spec, out, "tags", "tags");
    await visit(page, spec, out, "ip", "ip");

    // Another account's domain by its id: not found, nothing of it shown.
    await page.goto(`${spec.base}/console/#/domains/${spec.other_domain_id}`);
    await page.locator("[role=alert]").waitFor();
    out.other_domain_text = await page.locator("main").innerText();

    // English, remembered across a reload.
    await page.locator("header button", { hasText: "English" }).click();
    await page.reload();
    await page.locator("main h1").waitFor();
    out.english_heading = await page.locator("main h1").innerText();
    out.html_lang = await page.evaluate(() => document.documentElement.lang);

    await page.locator("header button", { hasText: "Sign out" }).click();
    await page.locator("#signin-account").waitFor();
    out.signed_out = true;
  },

  // Every page in one language (remembered from an earlier visit), audited and pictured.
  async tour(page, spec, out) {
    // The console's own document only: a sandboxed preview frame has no storage.
    await page.addInitScript((lang) => {
      if (window === window.top) localStorage.setItem("mailpush.lang", lang);
    }, spec.lang);
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    out.visited = [];
    for (const [route, name] of [
      ["overview", "overview"],
      ["domains", "domains"],
      [`domains/${spec.domain_id}`, "domain"],
      ["addresses", "addresses"],
      ["tags", "tags"],
      ["lists", "lists"],
      [`lists/${spec.list_id}`, "list"],
      ["templates", "templates"],
      [`templates/${spec.template_id}`, "template"],
      ["send", "send"],
      ["ip", "ip"],
      ["stats", "stats"],
      ["tracking", "tracking"],
      ["details", "details"],
      ["invalid", "invalid"],
      ["suppression", "suppression"],
      ["monitor", "monitor"],
    ]) {
      await visit(page, spec, out, route, `${name}-${spec.lang}`);
      out.visited.push(name);
    }
  },

  // A campaign: a list uploaded with a bad row (the report read), a template written, previewed
  // and submitted, approved by the operator (a second browser context on the admin listener),
  // then a tracked batch sent and its task seen done.
  async campaign(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    await page.goto(`${spec.base}/console/#/lists`);
    await page.locator("#list-name").fill("customers");
    await page.locator("#list-alias").fill("customers@lists.example.com");
    await page.locator("form.inline button[type=submit]").click();
    await page.locator("[data-testid=list-name]").waitFor();
    await page.locator("#list-file").setInputFiles({ name: "list.csv", mimeType: "text/csv", buffer: Buffer.from(spec.csv) });
    const report = page.locator("[data-testid=upload-report]");
    await report.waitFor();
    out.report_text = await report.locator("p").innerText();
    out.report_rows = await report.locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.innerText)),
    );
    await page.locator("[data-testid=list-count]").filter({ hasText: String(spec.good_rows) }).waitFor();
    out.members = await page.locator("tr[data-email]").evaluateAll((rows) => rows.map((r) => r.dataset.email));
    await audit(page, out, "list");

    await page.goto(`${spec.base}/console/#/templates`);
    await page.locator("#template-new-name").fill("welcome");
    await page.locator("form.inline button[type=submit]").click();
    await page.locator("#template-body").waitFor();
    await page.locator("#template-subject").fill("Hello {UserName}");
    await page.locator("#template-body").fill("<p>Dear {NickName}, <a href=\"https://example.org/offer\">our offer</a></p>");
    await page.locator("#template-body").press("End");
    await page.locator(".variables button", { hasText: "{EAddr}" }).click();
    await page.locator("form button[type=submit]", { hasText: /保存|Save/ }).click();
    await page.locator("[data-testid=preview-subject]").filter({ hasText: "张三" }).waitFor();
    out.preview_subject = await page.locator("[data-testid=preview-subject]").innerText();
    const frame = page.frameLocator("[data-testid=preview-frame]");
    out.preview_body = await frame.locator("body").innerText();
    await audit(page, out, "template");
    await page.locator("button", { hasText: /提交审核|Submit for review/ }).click();
    await page.locator("[data-testid=template-status]").filter({ hasText: /审核中|In review/ }).waitFor();
    out.submitted = true;

    // The operator, in a browser of their own, approves it.
    const operator = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 } });
    const op = await operator.newPage();
    op.setDefaultTimeout(15000);
    await op.goto(`${spec.admin}/console/`);
    await op.locator("#signin-token").fill(spec.token);
    await op.locator("form button[type=submit]").click();
    await op.locator("nav a[href='#/review']").click();
    const row = op.locator('tr[data-template="welcome"]');
    await row.waitFor();
    await audit(op, out, "operator-review");
    await shoot(op, spec, "operator-review");
    await row.locator("button", { hasText: /通过|Approve/ }).first().click();
    await row.waitFor({ state: "detached" });
    out.approved = true;
    await operator.close();

    await page.reload();
    await page.locator("[data-testid=template-status]").filter({ hasText: /审核通过|Approved/ }).waitFor();
    await page.goto(`${spec.base}/console/#/send`);
    await page.locator("#send-template").waitFor();
    await page.locator("#send-address").selectOption(spec.batch_address);
    await page.locator("#send-track").check();
    await page.locator("form.inline button[type=submit]").click();
    await page.locator("[data-testid=send-result]").waitFor();
    out.send_result = await page.locator("[data-testid=send-result]").innerText();
    out.task_status = await page.locator("tr[data-task] .task-status").first().innerText();
    await audit(page, out, "send");
    await shoot(page, spec, "send");
  },

  // The statistics of today: 发送数据's row and chart, 邮件跟踪's row, 发送详情's rows.
  async stats(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    const today = (route) => page.locator(`tr[data-day="${spec.today}"] td`).allInnerTexts();
    await visit(page, spec, out, "stats", "stats");
    out.send_row = await today();
    out.chart_bars = await page.locator(".chart rect").count();
    await visit(page, spec, out, "tracking", "tracking");
    out.track_row = await today();
    await visit(page, spec, out, "details", "details");
    out.detail_rcpts = await page.locator("tr[data-rcpt]").evaluateAll((rows) => rows.map((r) => r.dataset.rcpt));
    await visit(page, spec, out, "invalid", "invalid");
    await visit(page, spec, out, "suppression", "suppression");
  },

  // 异步通知: an HTTP target for the account and a queue target for one address, each tested.
  async notify(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    await page.goto(`${spec.base}/console/#/notify`);
    await page.locator("#notify-kind").selectOption("url");
    await page.locator("#notify-url").fill(spec.hook);
    await page.locator("#notify-secret").fill("hook-secret-1");
    await page.locator("label", { hasText: /发送失败|Failed/ }).click();
    await page.locator("form button[type=submit]").click();
    const row = page.locator('tr[data-target="*"]');
    await row.waitFor();
    out.account_row = await row.locator("td").allInnerTexts();
    await row.locator("button", { hasText: /测试|Test/ }).click();
    out.push_test = await row.locator("[data-testid=test-result]").innerText();
    await page.locator("#notify-address").selectOption(spec.address);
    await page.locator("#notify-kind").selectOption("queue");
    await page.locator("form button[type=submit]").click();
    const queued = page.locator(`tr[data-target="${spec.address}"]`);
    await queued.waitFor();
    await queued.locator("button", { hasText: /测试|Test/ }).click();
    await queued.locator("[data-testid=test-result]").waitFor();
    await page.locator("[data-testid=queue-size]").filter({ hasText: /1/ }).waitFor();
    out.queue_size = await page.locator("[data-testid=queue-size]").innerText();
    await audit(page, out, "notify");
    await shoot(page, spec, "notify");
  },

  // The phone layout: the navigation behind its menu button.
  async phone(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("header .who").waitFor();
    await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
    out.nav_hidden = !(await page.locator("nav").isVisible());
    await shoot(page, spec, "phone-overview");
    await page.locator(".menu-button").click();
    out.nav_shown = await page.locator("nav").isVisible();
    const before = await page.locator("main h1").innerText();
    await page.locator("nav a[href='#/domains']").click();
    // The overview's heading is there until the next page is drawn: wait for it to go.
    await page.waitForFunction(
      (old) => location.hash === "#/domains" && !document.querySelector("[aria-busy=true]") &&
        document.querySelector("main h1") && document.querySelector("main h1").innerText !== old,
      before);
    out.heading = await page.locator("main h1").innerText();
    await audit(page, out, "phone-domains");
    await shoot(page, spec, "phone-domains");
  },

  // Operator mode on the admin listener: the admin token; an account's quota and console
  // password; a queued message shown with its recipients, retried and deleted; the server's health.
  async operator(page, spec, out) {
    await page.goto(`${spec.base}/console/`);
    await page.locator("#signin-token").fill("wrong-token");
    await page.locator("form button[type=submit]").click();
    out.wrong_token_message = await page.locator("[role=alert]").innerText();
    await page.locator("#signin-token").fill(spec.token);
    await page.locator("form button[type=submit]").click();
    await page.locator("tr[data-account]").first().waitFor();
    out.accounts = await page.$$eval("tr[data-account]", (rows) => rows.map((r) => r.dataset.account));
    await audit(page, out, "operator-accounts");
    await shoot(page, spec, "operator-accounts");
    const other = page.locator('tr[data-account="other"]');
    await other.locator("input[type=number]").first().fill("123");
    await other.locator("form").first().locator("button[type=submit]").click();
    await other.locator("[role=status]").waitFor();
    await page.locator('tr[data-account="other"] input[type=password]').fill(spec.other_password);
    await page.locator('tr[data-account="other"] form').nth(1).locator("button[type=submit]").click();
    await page.locator('tr[data-account="other"] [role=status]').filter({ hasText: /密码已设置|Password set/ }).waitFor();

    await page.goto(`${spec.base}/console/#/queue`);
    await page.locator(`tr[data-envid="${spec.envid}"]`).waitFor();
    await audit(page, out, "operator-queue");
    await shoot(page, spec, "operator-queue");
    await page.locator(`tr[data-envid="${spec.envid}"] a`).click();
    await page.locator("[data-testid=queued]").waitFor();
    out.message_rcpts = await page.locator("tr[data-rcpt]").evaluateAll((rows) => rows.map((r) => r.dataset.rcpt));
    await audit(page, out, "operator-message");
    await shoot(page, spec, "operator-message");
    await page.locator("button", { hasText: /暂停投递|^Hold$/ }).click();
    await page.locator("[data-testid=queued]").filter({ hasText: /已暂停|Held/ }).waitFor();
    out.held_shown = true;
    await page.locator("button", { hasText: /恢复投递|Release/ }).click();
    await page.locator("[data-testid=queued]").filter({ hasText: /在队列中|In the queue/ }).waitFor();
    const retried = page.waitForResponse((r) => r.url().endsWith("/retry"));
    await page.locator("button", { hasText: /立即重试|Retry now/ }).click();
    out.retry_status = (await retried).status();
    await page.locator("button.danger", { hasText: /删除|Delete/ }).click();
    await page.locator(`tr[data-envid]`).first().waitFor({ state: "detached" }).catch(() => {});
    await page.locator("main p", { hasText: /队列中有 0 封邮件|0 messages/ }).waitFor();
    out.deleted = true;
    await page.goto(`${spec.base}/console/#/health`);
    await page.locator("[data-testid=queued-messages]").waitFor();
    out.health_queued = await page.locator("[data-testid=queued-messages]").innerText();
    await audit(page, out, "operator-health");
    await shoot(page, spec, "operator-health");
  },

  // A signed-in user visits an attacker's page (another origin on loopback): its script POSTs to the
  // console with the user's cookie but cannot know the CSRF token, and a fetch from the console's
  // own page without the token is refused too.
  async csrf(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    out.same_page_without_token = await page.evaluate(async () => {
      const r = await fetch("/console/api/call/CreateTag", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ TagName: "forged1" }),
      });
      return r.status;
    });
    const attacked = page.waitForResponse((r) => r.url().includes("/console/api/call/CreateTag"));
    await page.goto(spec.attacker);
    out.cross_site_status = (await attacked).status();
    out.attacker_saw = await page.locator("#result").innerText();
  },

  // 报警规则: a rule on SMTP authentication failures created in the form; it starts with no data.
  async monitor_rule(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    await page.goto(`${spec.base}/console/#/monitor`);
    await page.locator("#rule-name").fill(spec.rule_name);
    await page.locator("#rule-item").selectOption("smtp_auth_failed");
    await page.locator("#rule-period").selectOption("1");
    await page.locator("#rule-statistic").selectOption("Sum");
    await page.locator("#rule-comparison").selectOption(">=");
    await page.locator("#rule-threshold").fill(String(spec.threshold));
    await page.locator("#rule-times").fill("1");
    await page.locator("form button[type=submit]").click();
    const row = page.locator(`tr[data-rule="${spec.rule_name}"]`);
    await row.waitFor();
    out.rule_cells = await row.locator("td").evaluateAll((tds) => tds.map((td) => td.innerText.trim()));
    out.notify_target = await page.locator("[data-testid=notify-target]").innerText();
  },

  // The SMTP tab's charts count the failures, and the rule, refreshed until the server has
  // evaluated the minute they fell in, shows 报警; both languages pictured.
  async monitor_watch(page, spec, out) {
    await signIn(page, spec, spec.account, spec.password);
    await page.locator("nav a[aria-current=page]").waitFor();
    await page.goto(`${spec.base}/console/#/monitor`);
    const failures = page.locator('figure[data-item="smtp_auth_failed"] [data-testid=total]');
    await failures.waitFor();
    out.failures_total = await failures.innerText();
    out.success_total = await page.locator('figure[data-item="smtp_auth_succeeded"] [data-testid=total]').innerText();
    const state = page.locator(`tr[data-rule="${spec.rule_name}"] [data-testid=state]`);
    const deadline = Date.now() + spec.wait_ms;
    while ((await state.innerText()) !== "报警" && Date.now() < deadline) {
      const answered = page.waitForResponse((r) => r.url().endsWith("/QueryAlarmRules"));
      await page.locator("button", { hasText: "刷新" }).click();
      await answered;
      await page.waitForTimeout(1000); // the refresh button is the user's: at most one a second
    }
    out.rule_state = await state.innerText();
    await audit(page, out, "monitor");
    await shoot(page, spec, "monitor-alarm-zh");
    await page.locator("button", { hasText: "WEB/API 发信方式" }).click();
    await page.locator('figure[data-item="api_success"] [data-testid=total]').waitFor();
    await page.locator("header button", { hasText: "English" }).click();
    await page.locator("main h1", { hasText: "Monitoring" }).waitFor();
    await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
    await shoot(page, spec, "monitor-alarm-en");
    await page.locator("header button", { hasText: "中文" }).click();
  },

  // Failed sign-ins until the server throttles: the message the user sees.
  async throttle(page, spec, out) {
    out.messages = [];
    await page.goto(`${spec.base}/console/`);
    for (let i = 0; i < spec.attempts; i++) {
      await page.locator("#signin-account").fill(spec.account);
      await page.locator("#signin-password").fill(`Wrong-password-${i}`);
      const answered = page.waitForResponse((r) => r.url().endsWith("/console/api/session") && r.request().method() === "POST");
      await page.locator("form button[type=submit]").click();
      out.messages.push((await answered).status());
    }
    out.last_message = await page.locator("[role=alert]").innerText();
  },
};

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const out = { errors: [], foreign_requests: [], axe: {} };
  try {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: spec.lang === "en" ? "en-US" : "zh-CN",
      viewport: spec.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
      isMobile: !!spec.phone,
      hasTouch: !!spec.phone,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const origin = new URL(spec.base).origin;
    page.on("pageerror", (e) => out.errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      // A refused call is logged by the browser as a failed resource load: expected, not a JS error.
      if (m.type() === "error" && !/Failed to load resource/.test(m.text())) out.errors.push(`console: ${m.text()}`);
    });
    page.on("request", (r) => {
      const url = r.url();
      // The attacker's page of the CSRF scenario is the one other host a test may visit.
      if (!url.startsWith(origin) && !url.startsWith("data:") && !(spec.attacker && url.startsWith(spec.attacker)))
        out.foreign_requests.push(url);
    });
    page.on("dialog", (d) => d.accept());
    await scenarios[spec.scenario](page, spec, out);
  } catch (e) {
    out.failure = String(e && e.stack ? e.stack : e);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
}
main();
