"""`statusbook serve` in a real browser: an open page reloads itself when a rebuild lands, under the page's strict policy."""

from __future__ import annotations

from support.repos import Project
from support.serving import DEADLINE_SECONDS, dev_server
from support.texts import INCIDENT, PATH


def test_an_open_page_reloads_itself_in_a_browser(site_repo: Project, browser) -> None:
    site_repo.write(PATH, INCIDENT)
    site_repo.commit("incident")
    with dev_server(site_repo) as server:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url)
            assert "API errors" in page.inner_text("body")
            site_repo.write(PATH, INCIDENT.replace("title: API errors", "title: API timeouts"))
            # The injected script long-polls /__serve/wait.js and reloads the page when a rebuild lands.
            page.get_by_text("API timeouts").first.wait_for(timeout=DEADLINE_SECONDS * 1000)
        finally:
            context.close()
