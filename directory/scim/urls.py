"""SCIM 2.0 URLs, mounted at scim/v2/ on the tenant base (with or without a trailing
slash, as provisioning clients differ).

The views load on the first SCIM request, not with the URL configuration: scim2-models
builds its pydantic classes at import and reads every attribute's docstring with
`inspect`, which took about half of the tenant URL configuration's import time, paid by
every management command (system checks) and every web worker (bench/startup.py)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt


def _view(module: str, name: str) -> Callable[..., HttpResponse]:
    """The view `name` of directory.scim.<module>, imported when first called."""

    @csrf_exempt  # as every SCIM view (bearer tokens, no cookies)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = getattr(import_module(f"directory.scim.{module}"), name)
        return target(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    return view


urlpatterns = [
    re_path(r"^ServiceProviderConfigs?/?$", _view("discovery", "service_provider_config")),
    re_path(r"^ResourceTypes/?$", _view("discovery", "resource_types")),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", _view("discovery", "resource_types")),
    re_path(r"^Schemas/?$", _view("discovery", "schemas")),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", _view("discovery", "schemas")),
    re_path(r"^\.search/?$", _view("views", "root_search")),
    re_path(r"^Users/\.search/?$", _view("views", "users_search")),
    re_path(r"^Groups/\.search/?$", _view("views", "groups_search")),
    re_path(r"^Users/?$", _view("views", "users")),
    re_path(r"^Users/(?P<user_id>[^/]+)/?$", _view("views", "user_detail")),
    re_path(r"^Groups/?$", _view("views", "groups")),
    re_path(r"^Groups/(?P<group_id>[^/]+)/?$", _view("views", "group_detail")),
    re_path(r"^(?P<path>.*)$", _view("discovery", "not_found")),
]
