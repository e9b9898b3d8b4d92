"""Security groups and custom attribute definitions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from . import audit
from .models import CustomAttribute, Group, GroupMembership, User

GROUP_FIELDS = ["display_name", "description", "external_id"]
ATTRIBUTE_FIELDS = ["name", "data_type", "label", "description"]


def _clean_group_name(display_name: str) -> str:
    name = (display_name or "").strip()
    if not name or len(name) > 256:
        raise ValidationError({"display_name": "Enter a name of at most 256 characters."})
    return name


def _fit(value: str | None, size: int, field: str) -> str:
    """Longer than the column is refused, never silently cut."""
    value = value or ""
    if len(value) > size:
        raise ValidationError({field: f"Enter at most {size} characters."})
    return value


def _users(user_ids: Iterable[Any]) -> list[User]:
    """The customers with these ids: group members are customer accounts only (admin
    accounts are neither listed nor accepted, as SCIM and the API know only customers)."""
    ids = [str(i) for i in user_ids]
    found: list[User] = []
    if ids:
        try:
            found = list(User.objects.filter(pk__in=ids, kind=User.Kind.CUSTOMER))
        except ValidationError:
            found = []
    if len({str(u.pk) for u in found}) != len(set(ids)):
        missing = sorted(set(ids) - {str(u.pk) for u in found})
        raise ValidationError({"members": f"No such user: {', '.join(missing)}"})
    return found


def create_group(
    *,
    display_name: str,
    actor: Any,
    request: HttpRequest | None = None,
    description: str = "",
    external_id: str = "",
    member_ids: Iterable[Any] = (),
    member_displays: dict[str, str] | None = None,
) -> Group:
    """Create a security group (names are unique case-insensitively)."""
    name = _clean_group_name(display_name)
    description = _fit(description, 1024, "description")
    external_id = _fit(external_id, 256, "external_id")
    members = _users(member_ids)
    try:
        with transaction.atomic():
            group = Group.objects.create(
                display_name=name, description=description or "", external_id=external_id or ""
            )
            displays = member_displays or {}
            GroupMembership.objects.bulk_create(
                GroupMembership(group=group, user=u, display=displays.get(str(u.pk), ""))
                for u in members
            )
            audit.record(
                action="group.create",
                actor=actor,
                request=request,
                target=group,
                after={
                    **(audit.snapshot(group, GROUP_FIELDS) or {}),
                    "members": [str(u.pk) for u in members],
                },
            )
    except IntegrityError:
        raise ValidationError({"display_name": "A group with this name already exists."}) from None
    return group


def update_group(
    *,
    group: Group,
    actor: Any,
    request: HttpRequest | None = None,
    display_name: str | None = None,
    description: str | None = None,
    external_id: str | None = None,
) -> Group:
    """Rename a group or change its description."""
    try:
        with transaction.atomic():
            locked = Group.objects.select_for_update().get(pk=group.pk)
            before = audit.snapshot(locked, GROUP_FIELDS)
            if display_name is not None:
                locked.display_name = _clean_group_name(display_name)
            if description is not None:
                locked.description = _fit(description, 1024, "description")
            if external_id is not None:
                locked.external_id = _fit(external_id, 256, "external_id")
            locked.save()
            audit.record(
                action="group.update",
                actor=actor,
                request=request,
                target=locked,
                before=before,
                after=audit.snapshot(locked, GROUP_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"display_name": "A group with this name already exists."}) from None
    return locked


def delete_group(*, group: Group, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        before = audit.snapshot(group, GROUP_FIELDS)
        target_id, label = str(group.pk), str(group)
        group.delete()
        audit.record(
            action="group.delete",
            actor=actor,
            request=request,
            target_type="directory.group",
            target_id=target_id,
            target_label=label,
            before=before,
        )


def add_members(
    *, group: Group, user_ids: Iterable[Any], actor: Any, request: HttpRequest | None = None
) -> list[User]:
    """Add users to a group (already-members are left as they are)."""
    users = _users(user_ids)
    with transaction.atomic():
        Group.objects.select_for_update().get(pk=group.pk)
        existing = set(
            GroupMembership.objects.filter(group=group, user__in=users).values_list(
                "user_id", flat=True
            )
        )
        added = [u for u in users if u.pk not in existing]
        GroupMembership.objects.bulk_create(GroupMembership(group=group, user=u) for u in added)
        if added:
            _touch(group)
            audit.record(
                action="group.members.add",
                actor=actor,
                request=request,
                target=group,
                after={"members": [str(u.pk) for u in added]},
            )
    return added


def remove_members(
    *, group: Group, user_ids: Iterable[Any], actor: Any, request: HttpRequest | None = None
) -> int:
    ids = [str(i) for i in user_ids]
    with transaction.atomic():
        Group.objects.select_for_update().get(pk=group.pk)
        try:
            removed, _ = GroupMembership.objects.filter(group=group, user_id__in=ids).delete()
        except ValidationError:
            removed = 0
        if removed:
            _touch(group)
            audit.record(
                action="group.members.remove",
                actor=actor,
                request=request,
                target=group,
                before={"members": ids},
            )
    return removed


def set_members(
    *,
    group: Group,
    user_ids: Iterable[Any],
    actor: Any,
    request: HttpRequest | None = None,
    displays: dict[str, str] | None = None,
) -> None:
    """Make the group's members exactly these users (`displays`: the names a provisioning
    client gave them in this group)."""
    users = _users(user_ids)
    wanted = {u.pk for u in users}
    with transaction.atomic():
        Group.objects.select_for_update().get(pk=group.pk)
        current = set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
        GroupMembership.objects.filter(group=group, user_id__in=current - wanted).delete()
        displays = displays or {}
        GroupMembership.objects.bulk_create(
            GroupMembership(group=group, user_id=pk, display=displays.get(str(pk), ""))
            for pk in wanted - current
        )
        for pk in wanted & current:
            if str(pk) in displays:
                GroupMembership.objects.filter(group=group, user_id=pk).exclude(
                    display=displays[str(pk)]
                ).update(display=displays[str(pk)])
        if wanted != current:
            _touch(group)
            audit.record(
                action="group.members.set",
                actor=actor,
                request=request,
                target=group,
                before={"members": sorted(str(p) for p in current)},
                after={"members": sorted(str(p) for p in wanted)},
            )


def _touch(group: Group) -> None:
    from django.utils import timezone

    Group.objects.filter(pk=group.pk).update(updated_at=timezone.now())


def group_names_of(user: User) -> list[str]:
    """The names of the user's groups (for tokens)."""
    return list(Group.objects.filter(members=user).values_list("display_name", flat=True))


def create_attribute(
    *,
    name: str,
    data_type: str,
    label: str,
    actor: Any,
    request: HttpRequest | None = None,
    description: str = "",
) -> CustomAttribute:
    """Define a custom user attribute."""
    attribute = CustomAttribute(
        name=(name or "").strip(),
        data_type=data_type,
        label=(label or "").strip(),
        description=description or "",
    )
    attribute.full_clean(exclude=["id"])
    with transaction.atomic():
        attribute.save()
        audit.record(
            action="attribute.create",
            actor=actor,
            request=request,
            target=attribute,
            after=audit.snapshot(attribute, ATTRIBUTE_FIELDS),
        )
    return attribute


def update_attribute(
    *,
    attribute: CustomAttribute,
    actor: Any,
    request: HttpRequest | None = None,
    label: str | None = None,
    description: str | None = None,
) -> CustomAttribute:
    """Change an attribute's label or description (name and type are fixed: stored values
    depend on them)."""
    with transaction.atomic():
        before = audit.snapshot(attribute, ATTRIBUTE_FIELDS)
        if label is not None:
            attribute.label = label.strip()
        if description is not None:
            attribute.description = description
        attribute.full_clean(exclude=["id", "name"])
        attribute.save()
        audit.record(
            action="attribute.update",
            actor=actor,
            request=request,
            target=attribute,
            before=before,
            after=audit.snapshot(attribute, ATTRIBUTE_FIELDS),
        )
    return attribute


def delete_attribute(
    *, attribute: CustomAttribute, actor: Any, request: HttpRequest | None = None
) -> None:
    """Delete a definition; users' stored values of it are removed too."""
    from django.db.models.expressions import RawSQL

    with transaction.atomic():
        before = audit.snapshot(attribute, ATTRIBUTE_FIELDS)
        name, target_id = attribute.name, str(attribute.pk)
        User.objects.filter(custom_attributes__has_key=name).update(
            custom_attributes=RawSQL("custom_attributes - %s", (name,))
        )
        attribute.delete()
        audit.record(
            action="attribute.delete",
            actor=actor,
            request=request,
            target_type="directory.customattribute",
            target_id=target_id,
            target_label=name,
            before=before,
        )
