"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py.
Admin center pages of this app live under admin/<section>/."""

urlpatterns: list = []
