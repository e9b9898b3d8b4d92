"""URLs of the management API, mounted at api/v1/ on the tenant base."""

from django.urls import path

from . import applications, branding, extensions, groups, users

resource_patterns = [
    path("users/", users.UserListView.as_view(), name="api_users"),
    path("users/<str:user_id>/", users.UserDetailView.as_view(), name="api_user"),
    path("users/<str:user_id>/block/", users.UserBlockView.as_view()),
    path("users/<str:user_id>/unblock/", users.UserUnblockView.as_view()),
    path("users/<str:user_id>/reset-password/", users.UserResetPasswordView.as_view()),
    path("users/<str:user_id>/identities/", users.UserIdentitiesView.as_view()),
    path(
        "users/<str:user_id>/identities/<str:identity_id>/",
        users.UserIdentityDetailView.as_view(),
    ),
    path("users/<str:user_id>/groups/", users.UserGroupsView.as_view()),
    path("groups/", groups.GroupListView.as_view(), name="api_groups"),
    path("groups/<str:group_id>/", groups.GroupDetailView.as_view()),
    path("groups/<str:group_id>/members/", groups.GroupMembersView.as_view()),
    path("groups/<str:group_id>/members/<str:user_id>/", groups.GroupMemberDetailView.as_view()),
    path("custom-attributes/", groups.AttributeListView.as_view()),
    path("custom-attributes/<str:attribute_id>/", groups.AttributeDetailView.as_view()),
    path("applications/", applications.ApplicationListView.as_view()),
    path("applications/<str:client_id>/", applications.ApplicationDetailView.as_view()),
    path("extensions/", extensions.ExtensionListView.as_view(), name="api_extensions"),
    path("extensions/<str:extension_id>/", extensions.ExtensionDetailView.as_view()),
    path("branding/", branding.BrandingView.as_view(), name="api_branding"),
    path("branding/images/<str:field>/", branding.BrandingImageView.as_view()),
    path("branding/languages/", branding.LanguageListView.as_view()),
    path("branding/languages/<str:tag>/", branding.LanguageDetailView.as_view()),
]


def _documents() -> list:
    from . import schema

    return [
        path("openapi.json", schema.OpenApiView.as_view(), name="api_openapi"),
        path("docs/", schema.DocsView.as_view(url_name="directory:api_openapi"), name="api_docs"),
    ]


urlpatterns = [*_documents(), *resource_patterns]
