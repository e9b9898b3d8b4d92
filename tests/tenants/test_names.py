"""Tenant names are lower-case DNS labels, not reserved, and unique."""

import pytest
from django.core.exceptions import ValidationError

from tenants.services import schema_name_for, validate_tenant_name


@pytest.mark.parametrize("name", ["fabrikam", "wood-grove", "a1b", "x" * 40, "contoso2"])
def test_valid_names_are_accepted(db, name):
    assert validate_tenant_name(name) == name


def test_names_are_normalised_to_lower_case(db):
    assert validate_tenant_name("  Fabrikam ") == "fabrikam"


@pytest.mark.parametrize(
    "name,code",
    [
        ("", "required"),
        ("ab", "length"),
        ("x" * 41, "length"),
        ("1abc", "invalid"),
        ("-abc", "invalid"),
        ("abc-", "invalid"),
        ("ab_c", "invalid"),
        ("ab.c", "invalid"),
        ("ab c", "invalid"),
        ("xn--abc", "invalid"),
        ("café", "invalid"),
        ("admin", "reserved"),
        ("www", "reserved"),
        ("public", "reserved"),
        ("template", "reserved"),
    ],
)
def test_invalid_names_are_refused_with_a_reason(db, name, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_tenant_name(name)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


def test_taken_names_are_refused(tenant):
    with pytest.raises(ValidationError) as excinfo:
        validate_tenant_name(tenant.name)
    assert excinfo.value.code == "taken"


def test_schema_names_cannot_collide():
    assert schema_name_for("a-b") == "t_a_b"
    # underscores are not allowed in tenant names, so no other name maps to t_a_b
    with pytest.raises(ValidationError):
        validate_tenant_name("a_b")
