"""The admin center's directory pages (admin/users/, admin/groups/, admin/attributes/),
included at the tenant's root in the "directory" URL namespace by ciam/urls_tenant.py."""

from django.urls import path

from . import views_access, views_groups, views_users

urlpatterns = [
    path("admin/users/", views_users.user_list, name="users"),
    path("admin/users/new/", views_users.user_create, name="user_create"),
    path("admin/users/import/", views_access.import_users, name="import"),
    path("admin/users/import/<str:job_id>/", views_access.import_job, name="import_job"),
    path("admin/users/export/", views_access.export_users, name="export"),
    path("admin/users/access/", views_access.access, name="access"),
    path(
        "admin/users/access/tokens/<str:token_id>/revoke/",
        views_access.revoke_token,
        name="revoke_token",
    ),
    path(
        "admin/users/access/grants/<str:grant_id>/revoke/",
        views_access.revoke_grant,
        name="revoke_grant",
    ),
    path("admin/users/<str:user_id>/", views_users.user_detail, name="user_detail"),
    path("admin/users/<str:user_id>/block/", views_users.user_block, name="user_block"),
    path(
        "admin/users/<str:user_id>/reset-password/",
        views_users.user_reset_password,
        name="user_reset_password",
    ),
    path("admin/users/<str:user_id>/delete/", views_users.user_delete, name="user_delete"),
    path("admin/groups/", views_groups.group_list, name="groups"),
    path("admin/groups/<str:group_id>/", views_groups.group_detail, name="group_detail"),
    path("admin/attributes/", views_groups.attribute_list, name="attributes"),
    path(
        "admin/attributes/<str:attribute_id>/", views_groups.attribute_edit, name="attribute_edit"
    ),
    path(
        "admin/attributes/<str:attribute_id>/delete/",
        views_groups.attribute_delete,
        name="attribute_delete",
    ),
]
