# SPDX-License-Identifier: EUPL-1.2
"""The web pages in a real browser: zero axe-core violations of WCAG 2.0/2.1
A and AA, a rendered page, and valid HTML (Nu HTML checker)."""
from a11y import check_pages
from harness import Instance, Tap, finish

# Every HTML page meentd serves; add new pages here.
PAGES = [
    "/",
    "/inloggen",
]

t = Tap()
m = Instance().start()
check_pages(t, m, PAGES)
finish(t, m)
