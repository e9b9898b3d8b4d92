"""Custom domains: a tenant adds a host name, proves it owns it with a DNS TXT record,
and from then on answers there."""

from __future__ import annotations

import re

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from ciam import generations

from .models import Domain, Tenant

HOSTNAME_RE = re.compile(
    r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)
CHALLENGE_LABEL = "_ciam-challenge"


def challenge_name(domain: Domain) -> str:
    return f"{CHALLENGE_LABEL}.{domain.domain}"


def add_custom_domain(tenant: Tenant, hostname: str) -> Domain:
    """Register an unverified custom domain for the tenant."""
    hostname = (hostname or "").strip().lower().rstrip(".")
    if not HOSTNAME_RE.match(hostname):
        raise ValidationError({"domain": "Enter a host name such as login.example.com."})
    base = settings.CIAM_BASE_DOMAIN
    if hostname == base or hostname.endswith("." + base):
        raise ValidationError({"domain": f"Addresses under {base} cannot be added."})
    # Pending claims of other tenants do not block this one (squatting); a verified
    # domain, or this tenant's own claim, does.
    if (
        Domain.objects.filter(domain=hostname)
        .filter(Q(is_verified=True) | Q(tenant=tenant))
        .exists()
    ):
        raise ValidationError({"domain": "This domain is already in use."})
    try:
        with transaction.atomic():
            return Domain.objects.create(
                domain=hostname, tenant=tenant, is_primary=False, kind=Domain.Kind.CUSTOM
            )
    except IntegrityError:
        raise ValidationError({"domain": "This domain is already in use."}) from None


def _resolver() -> dns.resolver.Resolver:
    if not settings.CIAM_DNS_NAMESERVER:
        return dns.resolver.Resolver()
    host, _, port = settings.CIAM_DNS_NAMESERVER.rpartition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host or settings.CIAM_DNS_NAMESERVER]
    resolver.port = int(port) if host else 53
    return resolver


def verify_custom_domain(domain: Domain) -> bool:
    """Look up the TXT challenge; mark the domain verified when it carries the token."""
    try:
        answer = _resolver().resolve(challenge_name(domain), "TXT", lifetime=5)
    except (dns.exception.DNSException, ValueError):
        return False
    values = {b"".join(r.strings).decode(errors="replace") for r in answer}
    if domain.verification_token not in values:
        return False
    try:
        with transaction.atomic():
            Domain.objects.filter(pk=domain.pk).update(is_verified=True)
            # the owner proved it: the other tenants' pending claims go
            Domain.objects.filter(domain=domain.domain, is_verified=False).exclude(
                pk=domain.pk
            ).delete()
            generations.bump(generations.PLATFORM)  # routes to the domain change
    except IntegrityError:
        return False  # another tenant verified it first
    domain.is_verified = True
    return True


def remove_custom_domain(domain: Domain) -> None:
    if domain.kind != Domain.Kind.CUSTOM:
        raise ValidationError("The tenant's own subdomain cannot be removed.")
    domain.delete()
