"""Company branding of a tenant (one row per tenant schema) and its language
customisations (one row per BCP 47 tag). Images are stored through Django's storage API;
the rows hold their storage names (content-hashed), never the bytes."""

from __future__ import annotations

import uuid

from django.db import models


class Layout(models.TextChoices):
    FULL_SCREEN = "full_screen", "Full-screen background"
    CENTERED = "centered", "Centred card"


class Branding(models.Model):
    """The tenant's default company branding. Empty texts mean "the built-in text"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A constant so that a schema holds at most one row.
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    favicon = models.CharField(max_length=255, blank=True)
    background_color = models.CharField(max_length=7, default="#f5f6f8")
    background_image = models.CharField(max_length=255, blank=True)
    banner_logo = models.CharField(max_length=255, blank=True)
    square_logo = models.CharField(max_length=255, blank=True)
    square_logo_dark = models.CharField(max_length=255, blank=True)

    layout = models.CharField(max_length=16, choices=Layout.choices, default=Layout.CENTERED)
    show_header = models.BooleanField(default=True)
    show_footer = models.BooleanField(default=True)

    privacy_url = models.CharField(max_length=500, blank=True)
    privacy_text = models.CharField(max_length=100, blank=True)
    terms_url = models.CharField(max_length=500, blank=True)
    terms_text = models.CharField(max_length=100, blank=True)
    troubleshooting_url = models.CharField(max_length=500, blank=True)
    troubleshooting_text = models.CharField(max_length=100, blank=True)

    sign_in_text = models.TextField(max_length=1024, blank=True)
    username_hint = models.CharField(max_length=64, blank=True)
    sspr_link_text = models.CharField(max_length=64, blank=True)

    button_color = models.CharField(max_length=7, default="#2563eb")
    link_color = models.CharField(max_length=7, default="#2563eb")
    custom_css = models.TextField(blank=True)

    default_language = models.CharField(max_length=35, default="en")
    sender_name = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Company branding"


class LanguageCustomization(models.Model):
    """Overrides for one language: branding texts, any string of the customer pages
    (by its built-in English text), custom attribute labels and help texts, emails."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    language = models.CharField(max_length=35, unique=True)
    # {"sign_in_text": ..., "username_hint": ..., "sspr_link_text": ..., "privacy_text": ...}
    texts = models.JSONField(default=dict, blank=True)
    # {"Sign In": "Connexion", ...}: built-in English text -> this language's text
    strings = models.JSONField(default=dict, blank=True)
    # {"loyaltyNumber": {"label": ..., "help_text": ...}}
    attributes = models.JSONField(default=dict, blank=True)
    # {"login_code": {"subject": ..., "intro": ...}, ...}
    emails = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]

    def __str__(self) -> str:
        return self.language
