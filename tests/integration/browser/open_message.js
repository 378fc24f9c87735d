// Opens a delivered message in headless Chromium (Debian's /usr/bin/chromium) as a webmail page
// would show it, images on: waits for the open pixel to load, clicks a link and waits for the page
// it lands on, then visits an altered tracking link. Prints one JSON line of what it saw.
// usage: node open_message.js '{"mail_url": ..., "link_index": 0, "altered_url": ..., "landing_prefix": ...}'
const { chromium } = require("playwright-core");

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const out = {};
  try {
    // The server's dev certificate is self-signed: trusted for this context only.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const pixelResponse = page.waitForResponse((r) => r.url().includes("/o/"));
    await page.goto(spec.mail_url);
    const pixel = await pixelResponse;
    out.pixel_status = pixel.status();
    out.pixel_type = pixel.headers()["content-type"];
    await page.waitForFunction(() => {
      const img = [...document.images].find((i) => i.src.includes("/o/"));
      return img && img.complete && img.naturalWidth === 1 && img.naturalHeight === 1;
    });
    out.pixel_rendered = true;
    const link = page.locator("a[href*='/c/']").nth(spec.link_index);
    out.clicked_href = await link.getAttribute("href");
    await Promise.all([page.waitForURL((u) => u.href.startsWith(spec.landing_prefix)), link.click()]);
    out.landed_url = page.url();
    out.landed_text = await page.locator("h1").innerText();
    const altered = await page.goto(spec.altered_url);
    out.altered_status = altered.status();
    out.altered_url = page.url();
    out.altered_text = (await page.locator("body").innerText()).trim();
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
