"""Signing in with a wallet in a real browser: the sign-in page, the test wallet, the server over ASGI."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User

pytestmark = pytest.mark.browser


def test_sign_in_reload_and_sign_out(wallet_page, dev_accounts):
    alice = wallet_page(dev_accounts[1])
    page = alice.page
    header_address = page.locator("[data-account-address]")

    page.goto("/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Connect wallet").click()

    expect(header_address).to_have_text(alice.address)
    expect(page.get_by_role("status")).to_have_text(f"Signed in as {alice.address}.")
    assert User.objects.filter(address=alice.address).exists()

    page.reload()
    expect(header_address).to_have_text(alice.address)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("/")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(header_address).to_be_hidden()
    page.reload()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def test_wallet_on_the_wrong_network_is_told_to_switch(wallet_page, dev_accounts):
    alice = wallet_page(dev_accounts[1], chain_id=1)
    page = alice.page
    error = page.get_by_role("alert")

    page.goto("/signin")
    page.get_by_role("button", name="Connect wallet").click()

    expect(error).to_have_text("Wrong network: your wallet is on chain 1. Switch it to chain 31337 and sign in again.")
    expect(page.locator("[data-account-address]")).to_be_hidden()

    alice.switch_chain(31337)
    expect(error).to_be_hidden()
    alice.sign_in()


def test_rejecting_the_signature_says_so(wallet_page, dev_accounts):
    alice = wallet_page(dev_accounts[1])
    alice.rejects.add("personal_sign")

    alice.page.goto("/signin")
    alice.page.get_by_role("button", name="Connect wallet").click()

    expect(alice.page.get_by_role("alert")).to_have_text("You rejected the request in your wallet.")
    expect(alice.page.locator("[data-account-address]")).to_be_hidden()


def test_browser_without_a_wallet_is_told_to_install_one(browser, live_asgi_server):
    context = browser.new_context(base_url=live_asgi_server.url)
    page = context.new_page()

    page.goto("/signin")
    page.get_by_role("button", name="Connect wallet").click()

    expect(page.get_by_role("alert")).to_have_text(
        "No Ethereum wallet found. Install MetaMask (or another browser wallet) and reload this page."
    )
    context.close()


def test_sign_in_returns_to_the_page_that_asked_for_it(wallet_page, dev_accounts):
    alice = wallet_page(dev_accounts[1])
    page = alice.page
    page.goto("/rewards")  # for signed-in labelers only: sends the browser to sign in first
    page.wait_for_url("**/signin?next=/rewards")
    page.get_by_role("button", name="Connect wallet").click()
    page.wait_for_url("**/rewards")
    expect(page.locator("[data-account-address]")).to_have_text(alice.address)


def test_sign_in_never_sends_the_browser_to_another_site(wallet_page, dev_accounts):
    alice = wallet_page(dev_accounts[1])
    page = alice.page
    page.goto("/signin?next=//example.invalid/steal")
    page.get_by_role("button", name="Connect wallet").click()
    expect(page.get_by_role("status")).to_have_text(f"Signed in as {alice.address}.")
    assert page.url.endswith("/signin?next=//example.invalid/steal")


def test_the_header_links_every_part_of_the_site(wallet_page, dev_accounts):
    page = wallet_page(dev_accounts[1]).page
    page.goto("/")
    site = page.get_by_role("navigation", name="Site")
    for name, path in (("Jobs", "/jobs/"), ("Rewards", "/rewards"), ("Leaderboard", "/leaderboard")):
        expect(site.get_by_role("link", name=name, exact=True)).to_have_attribute("href", path)
