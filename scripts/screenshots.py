#!/usr/bin/env python
"""Screenshots of the main pages of each portal, from the demo data, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py               # migrate, seed_demo, serve, shoot
    .venv/bin/python scripts/screenshots.py --no-seed     # the database already holds the demo data

Uses the database of the environment (DATABASE_URL; unset, the embedded PostgreSQL), serves it with `manage.py runserver` on a
free local port, and drives Debian's Chromium headless with Playwright (as the browser tests do) at 1280 × 900.
Detail pages are reached by following the first link of their list, as a user would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "Demo@2026"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# (file name, user, path, or links to follow from that path: (list path, CSS selector of the link, [next link…]))
SHOTS: list[tuple[str, str, str | tuple[str, ...]]] = [
    ("login", "", "/accounts/login/"),
    ("purchaser-workbench", "buyer", "/"),
    ("purchaser-catalog-search", "buyer", "/catalog/?q=aspl"),
    ("purchaser-listing-search", "buyer", "/orders/search/"),
    ("purchaser-cart", "buyer", "/orders/cart/"),
    ("purchaser-orders", "buyer", "/orders/"),
    ("purchaser-order-detail", "buyer", ("/orders/", "table.data tbody a[href^='/orders/']")),
    ("purchaser-progress", "buyer", "/progress/hospital/"),
    ("purchaser-commitment-chart", "buyer", ("/progress/hospital/", "tr[data-commitment] a")),
    ("purchaser-statements", "hospadmin", "/settlement/"),
    (
        "mongolian-medicine",
        "buyer_mn",
        ("/catalog/?category=mongolian_patent", "table.data tbody a[href^='/catalog/products/']"),
    ),
    ("manufacturer-tenders", "mfr2", "/tenders/"),
    ("manufacturer-tender-bidding", "mfr2", ("/tenders/?status=bidding", "table.data tbody a[href^='/tenders/']")),
    ("manufacturer-tender-awarded", "mfr2", ("/tenders/?status=executing", "table.data tbody a[href^='/tenders/']")),
    ("manufacturer-progress", "mfr2", "/progress/manufacturer/"),
    ("manufacturer-inquiries", "mfr2", "/pricing/inquiries/"),
    ("manufacturer-credit", "mfr2", "/pricing/credit/mine/"),
    ("manufacturer-statements", "mfr2", "/settlement/"),
    ("manufacturer-workbench", "mfr2", "/"),
    ("manufacturer-workbench-mongolian", "mfr", "/"),
    ("manufacturer-my-bids", "mfr2", ("/", "[data-workbench=awards] tbody a")),
    (
        "manufacturer-opening-record",
        "mfr2",
        ("/", "[data-workbench=awards] tbody a", "a[href*='/opening/']"),
    ),
    ("manufacturer-listing-applications", "mfr", "/listings/applications/"),
    ("manufacturer-listing-application-new", "mfr", "/listings/applications/new/?kind=new"),
    ("manufacturer-qualifications", "mfr", "/qualifications/"),
    ("manufacturer-contracts", "mfr2", "/contracts/"),
    ("manufacturer-contract-detail", "mfr2", ("/contracts/?status=in_force", "tr[data-contract] a")),
    ("manufacturer-signing-keys", "mfr2", "/contracts/keys/"),
    ("manufacturer-statement-detail", "mfr2", ("/settlement/?status=paid", "tr[data-statement] a")),
    ("distributor-incoming", "dist", "/orders/incoming/"),
    ("distributor-deliveries", "dist", "/orders/deliveries/"),
    ("official-alert-inbox", "official", "/pricing/alerts/"),
    (
        "official-alert-detail",
        "official",
        ("/pricing/alerts/?sort=severity", "tr[data-alert] a[href^='/pricing/alerts/']"),
    ),
    ("official-progress", "official", "/progress/"),
    ("official-tender-results", "official", ("/tenders/?status=executing", "table.data tbody a[href^='/tenders/']")),
    ("official-credit", "official", "/pricing/credit/"),
    ("official-shortages", "official", "/pricing/shortages/"),
    ("fund-statements", "fund", "/settlement/"),
    ("fund-statement-detail", "fund", ("/settlement/", "tr[data-statement] a")),
    ("fund-overdue", "fund", "/settlement/overdue/"),
    ("fund-balances", "fund", "/settlement/balances/"),
    ("english-workbench", "official", "/?lang=en"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 503 without a broker)
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not answer within {seconds:.0f} s")


def follow(page, name: str, target: tuple[str, ...]) -> bool:
    """Follow the links of `target[1:]` in turn (one click each) from `target[0]`; False when one is missing."""
    for selector in target[1:]:
        link = page.locator(selector).first
        if link.count() == 0:
            print(f"  {name}: no link {selector!r} on {page.url}, skipped", file=sys.stderr)
            return False
        with page.expect_navigation():
            link.click()
    return True


def shoot(base: str, only: set[str]) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        contexts: dict[str, object] = {}
        for name, user, target in SHOTS:
            if only and name not in only:
                continue
            if user not in contexts:
                context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=base)
                if user:
                    page = context.new_page()
                    page.goto("/accounts/login/")
                    page.fill("#id_username", user)
                    page.fill("#id_password", PASSWORD)
                    with page.expect_navigation():
                        page.click("button[type=submit]")
                    page.close()
                contexts[user] = context
            page = contexts[user].new_page()
            page.set_default_timeout(30_000)
            if isinstance(target, tuple):
                page.goto(target[0])
                if not follow(page, name, target):
                    page.close()
                    continue
            elif target.endswith("?lang=en"):
                page.goto(target.removesuffix("?lang=en"))
                with page.expect_navigation():
                    page.select_option("select[name=language]", "en")
            else:
                page.goto(target)
            page.evaluate("document.fonts.ready")
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path))
            written.append(path)
            print(f"  {path.relative_to(ROOT)}  ← {user or 'anonymous'} {page.url.removeprefix(base)}")
            page.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-seed", action="store_true", help="skip migrate and seed_demo")
    parser.add_argument("--only", nargs="*", default=[], help="names of the screenshots to make (default: all)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("needs Debian's chromium (sh scripts/install_browser.sh)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if not args.no_seed:
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", "--quiet-logins")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/accounts/login/")
        written = shoot(base, set(args.only))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
