"""The support form end to end: ``streamlit run`` in a child process, driven by headless Chromium.

Chromium and its WebDriver come from Debian (``chromium``, ``chromium-driver``); the fixture installs
them with apt-get when they are missing (root, as on CI) and fails when it cannot. Screenshots go to
artifacts/support_form/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from integration_tests.test_support_form import (
    APP,
    LONE,
    PROJECT,
    agent_link,
    sample_db,  # noqa: F401  (fixture)
    sample_ticket,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = PROJECT / "artifacts" / "support_form"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1700",
]


@pytest.fixture(scope="module")
def chromium() -> None:
    """Debian's Chromium and chromedriver, installed with apt-get if missing."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=120"]
    for command in (["apt-get", "update"], [*install, "chromium", "chromium-driver"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            pytest.fail(f"Cannot install Chromium: `{' '.join(command)}` failed: {error}", pytrace=False)
        if done.returncode != 0:
            pytest.fail(
                f"Cannot install Chromium: `{' '.join(command)}` exited with {done.returncode} (the browser test "
                f"needs Debian's chromium and chromium-driver packages, and root to install them):\n"
                f"{done.stderr[-2000:]}",
                pytrace=False,
            )
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"apt-get installed Chromium but {CHROMIUM} or {CHROMEDRIVER} is missing.", pytrace=False)


@pytest.fixture(scope="module")
def form_url(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The form served by ``streamlit run`` on a free port, configured through the environment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MILVUS_URI": str(sample_db), "COLLECTION": "zendesk"}
    env.pop("MILVUS_TOKEN", None)
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-3000:]}", pytrace=False)
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()  # by PID: SIGTERM to the process started above
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser(chromium: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def send_request(driver: webdriver.Chrome, url: str, org: int, subject: str, description: str) -> None:
    """Open the form, type the request as a person would, and press "Send request"."""
    driver.get(url)
    wait = WebDriverWait(driver, 60)
    send = (By.XPATH, "//button[normalize-space()='Send request']")
    wait.until(ec.element_to_be_clickable(send))  # the form's last element: the fields above are there
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-test-script-state="notRunning"]')))

    def field(selector: str):  # Streamlit may re-render the form once more after the first run
        return wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, selector)))

    field('input[aria-label="Organisation ID"]').send_keys(str(org))
    field('input[aria-label="Your name (optional)"]').send_keys("Ada")
    field('input[aria-label="Your email (optional)"]').send_keys("ada@example.com")
    field('input[aria-label="Subject"]').send_keys(subject)
    field('textarea[aria-label="Description"]').send_keys(description)
    wait.until(ec.element_to_be_clickable(send)).click()


def wait_for_answer(driver: webdriver.Chrome, kind: str, text: str) -> str:
    """Once the ``kind`` alert (Warning, Success, ...) says ``text`` and the script run is over: its text."""
    wait = WebDriverWait(driver, 60)
    alert = (By.CSS_SELECTOR, f'[data-testid="stAlertContent{kind}"]')
    wait.until(ec.text_to_be_present_in_element(alert, text))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-test-script-state="notRunning"]')))
    return driver.find_element(*alert).text


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / name))


def test_duplicate_request_is_held_back(browser, form_url):
    ticket = sample_ticket(LONE)
    send_request(browser, form_url, ticket["organization_id"], ticket["subject"], ticket["description"])

    assert "not sent" in wait_for_answer(browser, "Warning", "not sent")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert f"#{LONE} {ticket['subject']}" in body
    assert f"status {ticket['status']}" in body
    link = browser.find_element(By.LINK_TEXT, f"#{LONE} {ticket['subject']}")
    assert link.get_attribute("href") == agent_link(LONE)
    assert browser.find_element(By.XPATH, "//button[normalize-space()='Submit anyway']").is_displayed()
    screenshot(browser, "duplicate_warning.png")


def test_new_request_is_received_with_articles(browser, form_url):
    ticket = sample_ticket(LONE)  # sent by another organisation, which has no ticket like it
    send_request(browser, form_url, 360001, ticket["subject"], ticket["description"])

    received = wait_for_answer(browser, "Success", "Request received")
    assert received == "Thank you, Ada. Request received. We will reply to ada@example.com."
    links = browser.find_elements(By.CSS_SELECTOR, 'a[href^="https://acme.zendesk.com/hc/en-us/articles/"]')
    assert links and all(link.text for link in links)
    assert any("exchange rate" in link.text.lower() for link in links)
    screenshot(browser, "accepted.png")
