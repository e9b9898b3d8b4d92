"""Custom domains: added by a tenant admin, verified through a DNS TXT record served by a
real (local) DNS server, then answering for the tenant -- and never for another."""

import socketserver
import threading

import pytest
from django.test import Client
from dnslib import QTYPE, RR, TXT, DNSRecord

from tenants.models import Domain


class _Zone:
    records: dict[str, str] = {}


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        query = DNSRecord.parse(data)
        reply = query.reply()
        name = str(query.q.qname).rstrip(".")
        if query.q.qtype == QTYPE.TXT and name in _Zone.records:
            reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(_Zone.records[name]), ttl=1))
        else:
            reply.header.rcode = 3  # NXDOMAIN
        sock.sendto(reply.pack(), self.client_address)


@pytest.fixture
def dns_server(settings):
    server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CIAM_DNS_NAMESERVER = f"127.0.0.1:{server.server_address[1]}"
    _Zone.records = {}
    yield _Zone.records
    server.shutdown()
    server.server_close()


def _add(admin_client, tenant, domain):
    return admin_client.post(
        tenant.url("/admin/settings/"), {"action": "add_domain", "domain": domain}
    )


def test_custom_domain_answers_once_its_txt_record_is_published(admin_client, tenant, dns_server):
    # given a domain added in the admin center
    assert _add(admin_client, tenant, "Login.Contoso-Shop.example").status_code == 302
    domain = Domain.objects.get(domain="login.contoso-shop.example")
    assert not domain.is_verified
    assert Client().get("/admin/signin/", HTTP_HOST=domain.domain).status_code == 404
    settings_page = admin_client.get(tenant.url("/admin/settings/")).content.decode()
    assert f"_ciam-challenge.{domain.domain}" in settings_page
    # when verification runs before the record exists, nothing changes
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "verify_domain", "domain_id": domain.pk}
    )
    domain.refresh_from_db()
    assert not domain.is_verified
    # when the TXT record is published
    dns_server[f"_ciam-challenge.{domain.domain}"] = domain.verification_token
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "verify_domain", "domain_id": domain.pk}
    )
    # then the tenant answers there
    domain.refresh_from_db()
    assert domain.is_verified
    response = Client().get("/admin/signin/", HTTP_HOST=domain.domain)
    assert response.status_code == 200 and b"Test Co" in response.content


def test_a_wrong_txt_value_does_not_verify(admin_client, tenant, dns_server):
    _add(admin_client, tenant, "login.fake.example")
    domain = Domain.objects.get(domain="login.fake.example")
    dns_server[f"_ciam-challenge.{domain.domain}"] = "someone-elses-token"
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "verify_domain", "domain_id": domain.pk}
    )
    domain.refresh_from_db()
    assert not domain.is_verified


@pytest.mark.parametrize(
    "value,message",
    [
        ("not a host", "Enter a host name"),
        ("testco.localhost", "cannot be added"),
        ("x.localhost", "cannot be added"),
    ],
)
def test_invalid_domains_are_refused_beside_the_field(admin_client, tenant, value, message):
    response = _add(admin_client, tenant, value)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_domain_of_another_tenant_cannot_be_taken_or_touched(admin_client, tenant, other_tenant):
    # (a verified one: pending claims of several tenants may coexist, see
    # tests/security/test_domain_squatting.py)
    foreign = Domain.objects.create(
        domain="login.other.example",
        tenant=other_tenant.tenant,
        is_primary=False,
        kind=Domain.Kind.CUSTOM,
        is_verified=True,
    )
    response = _add(admin_client, tenant, "login.other.example")
    assert "already in use" in response.content.decode()
    for action in ("verify_domain", "remove_domain"):
        response = admin_client.post(
            tenant.url("/admin/settings/"), {"action": action, "domain_id": foreign.pk}
        )
        assert response.status_code == 404
    assert Domain.objects.filter(pk=foreign.pk).exists()


def test_domain_changes_are_audited(admin_client, tenant):
    from directory.models import AuditEvent

    _add(admin_client, tenant, "audit.example.org")
    domain = Domain.objects.get(domain="audit.example.org")
    admin_client.post(
        tenant.url("/admin/settings/"), {"action": "remove_domain", "domain_id": domain.pk}
    )
    with tenant.context():
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"domain.add", "domain.remove"} <= actions
    assert not Domain.objects.filter(domain="audit.example.org").exists()
