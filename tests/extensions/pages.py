"""A customer's browser on the sign-up pages over real HTTP (requests, with the CSRF token
of each form), against the live platform server."""

from __future__ import annotations

import html
import re

import requests


class Browser:
    def __init__(self, env) -> None:
        self.env = env
        self.session = requests.Session()
        self.url = f"{env.issuer}/account/signup/"
        self.page = self.session.get(self.url, timeout=30)

    def _csrf(self) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page.text)
        assert found, self.page.text[:500]
        return found.group(1)

    def post(self, **data) -> requests.Response:
        data["csrfmiddlewaretoken"] = self._csrf()
        answer = self.session.post(self.url, data=data, allow_redirects=False, timeout=30)
        if answer.status_code == 302:
            self.page = self.session.get(self.url, timeout=30)
        else:
            self.page = answer
        return answer

    def text(self) -> str:
        return html.unescape(self.page.text)

    def to_attributes(self, email: str, code_of, password: str) -> None:
        """Email, code, password: the attribute step is the page shown next."""
        assert self.post(email=email).status_code == 302
        assert self.post(code=code_of(email)).status_code == 302
        assert self.post(password1=password, password2=password).status_code == 302


def field_errors(page_text: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_errors">(.*?)</ul>', page_text, re.S)
    return html.unescape(found.group(1)) if found else ""
