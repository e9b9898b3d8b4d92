"""The tenant's enabled extensions as plain frozen values, cached per process for one
generation of the tenant (ciam.generations): any write to an extension bumps it
(extensions.signals). The token endpoint asks "does any extension apply to this app?"
without a query, which keeps the client-credentials path free of SQL when none does."""

from __future__ import annotations

from dataclasses import dataclass

from ciam import generations
from ciam.schemas import current_schema

from .models import CustomAuthenticationExtension, Event


@dataclass(frozen=True)
class ExtensionSpec:
    id: str
    name: str
    target_url: str
    app_id_uri: str
    events: frozenset[str]
    user_flows: frozenset[str]
    applications: frozenset[str]
    include_app_only_tokens: bool
    timeout_ms: int
    max_retries: int
    allowed_claims: frozenset[str]
    fail_on_error: bool
    encryption_public_key: str

    def applies(self, event: str, *, client_id: str = "", flow_id: str | None = None) -> bool:
        if event not in self.events:
            return False
        if self.applications and client_id not in self.applications:
            return False
        return not (self.user_flows and (flow_id is None or str(flow_id) not in self.user_flows))


def spec_of(row: CustomAuthenticationExtension) -> ExtensionSpec:
    return ExtensionSpec(
        id=str(row.pk),
        name=row.name,
        target_url=row.target_url,
        app_id_uri=row.app_id_uri,
        events=frozenset(row.events or []),
        user_flows=frozenset(str(f) for f in row.user_flows or []),
        applications=frozenset(row.applications or []),
        include_app_only_tokens=row.include_app_only_tokens,
        timeout_ms=row.timeout_ms,
        max_retries=row.max_retries,
        allowed_claims=frozenset(row.allowed_claims or []),
        fail_on_error=row.on_failure == CustomAuthenticationExtension.OnFailure.FAIL,
        encryption_public_key=row.encryption_public_key,
    )


_specs = generations.Cache()


def _load() -> tuple[ExtensionSpec, ...]:
    return tuple(spec_of(r) for r in CustomAuthenticationExtension.objects.filter(is_enabled=True))


def enabled() -> tuple[ExtensionSpec, ...]:
    schema = current_schema()
    return _specs.get(schema, ("extensions", schema), _load)


def applicable(
    event: str, *, client_id: str = "", flow_id: str | None = None
) -> list[ExtensionSpec]:
    """Enabled extensions serving `event` for this app and flow, by name."""
    return [s for s in enabled() if s.applies(event, client_id=client_id, flow_id=flow_id)]


def token_extension_for(client_id: str, app_only: bool) -> ExtensionSpec | None:
    """The OnTokenIssuanceStart extension of this app (the first by name), if any."""
    for spec in applicable(Event.TOKEN_ISSUANCE_START, client_id=client_id):
        if app_only and not spec.include_app_only_tokens:
            continue
        return spec
    return None
