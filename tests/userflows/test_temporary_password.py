"""A temporary password set by an admin must be changed at the next sign-in, before the
customer can do anything else (apps included)."""

from django.test import Client

from directory.models import User
from directory.services_users import reset_password

from .conftest import PASSWORD
from .test_signin import login


def test_temporary_password_must_be_changed_before_anything_else(
    tenant, default_flow, make_customer
):
    # given an admin reset the customer's password to a temporary one
    user = make_customer("temp@example.com")
    with tenant.context():
        temporary = reset_password(user=user, mode="temporary", actor="tests")
        user.refresh_from_db()
    assert user.must_change_password
    client = Client()
    assert login(client, tenant, "temp@example.com", temporary).status_code == 302
    # when the customer goes anywhere, the authorize endpoint included
    for path in ("/account/profile/", "/oauth2/v2.0/authorize?client_id=x&response_type=code"):
        response = client.get(tenant.url(path))
        # then they are sent to choose a new password first
        assert response.status_code == 302, path
        assert response["Location"].startswith(tenant.url("/account/password/change/"))
    # when they choose one
    response = client.post(
        tenant.url("/account/password/change/"),
        {"oldpassword": temporary, "password1": PASSWORD + "-new", "password2": PASSWORD + "-new"},
    )
    assert response.status_code == 302
    # then the requirement is gone and the pages open again
    with tenant.context():
        assert not User.objects.get(pk=user.pk).must_change_password
    assert client.get(tenant.url("/account/profile/")).status_code == 200


def test_customers_without_a_temporary_password_are_not_redirected(
    tenant, default_flow, make_customer
):
    make_customer("normal@example.com")
    client = Client()
    assert login(client, tenant, "normal@example.com", PASSWORD).status_code == 302
    assert client.get(tenant.url("/account/profile/")).status_code == 200
