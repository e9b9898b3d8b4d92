"""Finding 6: one customer with an address at a special-use domain (x@corp.test, accepted
at sign-up) made every SCIM read answer 500, because the read path re-validated stored
emails with a stricter rule. One email rule (directory/emails.py) everywhere; reads never
fail on stored data."""

from __future__ import annotations

import pytest

from tests.security.live import SCIM_USER, assert_scim_error, committed, live_scim  # noqa: F401


@pytest.fixture
def corp_customer(committed):  # noqa: F811
    from directory import services_users

    user, _ = committed(
        services_users.create_customer, email="x@corp.test", password=None, actor="tests"
    )
    return user


def test_scim_reads_survive_a_special_use_domain(live_scim, corp_customer):  # noqa: F811
    listing = live_scim.get("/Users")
    assert listing.status_code == 200, listing.text
    assert "x@corp.test" in [r["userName"] for r in listing.json()["Resources"]]
    one = live_scim.get(f"/Users/{corp_customer.pk}")
    assert one.status_code == 200, one.text
    assert one.json()["emails"][0]["value"] == "x@corp.test"
    filtered = live_scim.get("/Users", {"filter": 'userName eq "x@corp.test"'})
    assert filtered.status_code == 200 and filtered.json()["totalResults"] == 1
    searched = live_scim.send(
        "POST",
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'emails.value co "corp.test"',
        },
    )
    assert searched.status_code == 200 and searched.json()["totalResults"] == 1


def test_scim_writes_use_the_directory_rule(live_scim):  # noqa: F811
    # the same address the sign-up page accepts is accepted by SCIM
    made = live_scim.send(
        "POST",
        "/Users",
        {
            "schemas": [SCIM_USER],
            "userName": "y@corp.test",
            "emails": [{"value": "y@corp.test", "primary": True}],
        },
    )
    assert made.status_code == 201, made.text
    # and what the rule refuses is a 400 invalidValue, for any of the emails
    bad = live_scim.send(
        "POST",
        "/Users",
        {
            "schemas": [SCIM_USER],
            "userName": "z@corp.test",
            "emails": [{"value": "z@corp.test"}, {"value": "not an address"}],
        },
    )
    assert_scim_error(bad, 400, "invalidValue")


# django_db: a session whose tests all run against the live server still needs pytest-django
# to set up the test database (it does so only when some collected test asks for it).
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("x@corp.test", True),
        ("Ada@Example.COM ", True),
        ("a@localhost", True),
        ("a@b", False),
        ("no-at-sign", False),
        ("a\x00@example.com", False),
        ("a" * 250 + "@example.com", False),
    ],
)
def test_one_rule(value, accepted):
    from directory.emails import normalize_email

    assert bool(normalize_email(value)) is accepted
