"""Regenerate the README's screenshots of dashboard.html (docs/images/dashboard*.png).

    python scripts/dashboard_screenshot.py                       # 100,000 stays, seed 42
    python scripts/dashboard_screenshot.py --stays 1000000 --work /tmp/shots

Runs the real pipeline (generate, load, transform, analyze on DuckDB) in --work, opens the dashboard in
headless Chromium (Debian's chromium and chromium-driver, through Selenium), and saves two full-page
screenshots 1440 pixels wide: everything, and a filtered view (women, 65-84, the first half of 2025) set
through the page's automation hook.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the browser helpers the tests use

from helpers import clean_env  # noqa: E402
from helpers.dashboard import chromium_driver, open_dashboard  # noqa: E402

FILTERED = {"gender": "F", "age_group": "65-84", "from": "2025-01", "to": "2025-06"}


def build(work: Path, stays: int, seed: int) -> Path:
    """generate, load, transform and analyze on DuckDB in ``work`` (no HOSPITAL_*/SNOWFLAKE_* variable or
    ``.env`` applies); the dashboard's path."""
    import hospital_analytics as ha

    with clean_env(work):
        settings = ha.Settings(
            output_dir=work,
            warehouse="duckdb",
            hospitalizations=stays,
            patients=max(stays * 2 // 5, 10),
            doctors=40,
            seed=seed,
        )
        ha.generate(settings)
        ha.load(settings)
        ha.transform(settings)
        return ha.analyze(settings).dashboard


def shoot(driver, path: Path, width: int) -> None:
    """A full-page PNG: the viewport is set to the page's whole height (DevTools), then captured."""
    import base64
    import math

    from PIL import Image

    height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
    metrics = {"width": width, "height": math.ceil(height), "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_async_script("const done = arguments[0]; setTimeout(done, 400);")  # the charts redraw
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))
    with Image.open(path) as image:
        image.convert("RGB").save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=None, help="output folder of the pipeline (default: a temp dir)")
    parser.add_argument("--images", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        sys.exit("Needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
    work = args.work or Path(tempfile.mkdtemp(prefix="dashboard-shot-"))
    work.mkdir(parents=True, exist_ok=True)
    page = build(work.resolve(), args.stays, args.seed)
    args.images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        driver = chromium_driver(chromium, chromedriver, Path(profile), width=args.width, height=1200)
        try:
            open_dashboard(driver, page)
            shoot(driver, args.images / "dashboard.png", args.width)
            driver.execute_script("window.hospitalDashboard.setFilters(arguments[0]);", FILTERED)
            shoot(driver, args.images / "dashboard-filtered.png", args.width)
        finally:
            driver.quit()
    for name in ("dashboard.png", "dashboard-filtered.png"):
        print(args.images / name)


if __name__ == "__main__":
    main()
