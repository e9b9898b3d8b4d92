"""SCIM 2.0 URLs, mounted at scim/v2/ on the tenant base (with or without a trailing
slash, as provisioning clients differ)."""

from django.urls import re_path

from . import discovery, views

urlpatterns = [
    re_path(r"^ServiceProviderConfigs?/?$", discovery.service_provider_config),
    re_path(r"^ResourceTypes/?$", discovery.resource_types),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", discovery.resource_types),
    re_path(r"^Schemas/?$", discovery.schemas),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", discovery.schemas),
    re_path(r"^\.search/?$", views.root_search),
    re_path(r"^Users/\.search/?$", views.users_search),
    re_path(r"^Groups/\.search/?$", views.groups_search),
    re_path(r"^Users/?$", views.users),
    re_path(r"^Users/(?P<user_id>[^/]+)/?$", views.user_detail),
    re_path(r"^Groups/?$", views.groups),
    re_path(r"^Groups/(?P<group_id>[^/]+)/?$", views.group_detail),
    re_path(r"^(?P<path>.*)$", discovery.not_found),
]
