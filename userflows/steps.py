"""Sign-up steps: each a small class behind one contract, listed explicitly in
SIGNUP_STEPS. A step builds its form, accepts a valid answer (recording an event), and may
be skipped by the flow. State between steps is JSON in the session."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from directory.emails import EmailFormField

from . import codes, extension_points, hooks, signup
from .attributes import AttributesForm
from .models import UserFlow
from .passwords import validate_customer_password


class EmailForm(forms.Form):
    email = EmailFormField(label=_("Email address"), max_length=254)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=12)


class PasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("Confirm password"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The passwords do not match."))
        elif p1:
            from directory.models import User

            try:
                validate_customer_password(p1, user=User(email=self.email))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignUpStep:
    key: str = ""
    title: Any = ""
    submit_label: Any = _("Continue")

    def applies(self, flow: UserFlow) -> bool:
        return True

    def build_form(self, request: HttpRequest, flow: UserFlow, state: dict, data: Any = None):
        raise NotImplementedError

    def submit(self, request: HttpRequest, flow: UserFlow, state: dict, form: forms.Form) -> None:
        """Accept a valid form; raise ValidationError to refuse it."""
        raise NotImplementedError


class EmailStep(SignUpStep):
    key = "email"
    title = _("Create your account")
    submit_label = _("Send code")

    def build_form(self, request, flow, state, data=None):
        return EmailForm(data, initial={"email": state.get("login_hint", "")})

    def submit(self, request, flow, state, form):
        signup.start_email_verification(request, flow, state, form.cleaned_data["email"])


class VerifyEmailStep(SignUpStep):
    key = "verify_email"
    title = _("Verify your email")
    submit_label = _("Verify")

    def build_form(self, request, flow, state, data=None):
        return CodeForm(data)

    def submit(self, request, flow, state, form):
        try:
            codes.check(state.get("code"), "signup", state["email"], form.cleaned_data["code"])
        except codes.CodeError as exc:
            signup.record_step(request, flow, "signup.code_rejected", {"reason": exc.reason})
            raise ValidationError({"code": signup.CODE_ERRORS[exc.reason]}) from exc
        signup.record_step(request, flow, "signup.email_verified", {})


class PasswordStep(SignUpStep):
    key = "password"
    title = _("Choose a password")

    def applies(self, flow):
        return flow.password_enabled

    def build_form(self, request, flow, state, data=None):
        return PasswordForm(data, email=state.get("email", ""))

    def submit(self, request, flow, state, form):
        state["password_hash"] = make_password(form.cleaned_data["password1"])
        signup.record_step(request, flow, "signup.password_set", {})


class AttributesStep(SignUpStep):
    key = "attributes"
    title = _("Tell us about yourself")
    submit_label = _("Create account")

    def applies(self, flow):
        return flow.attributes.exists()

    def build_form(self, request, flow, state, data=None):
        prefill = hooks.run(
            hooks.ATTRIBUTE_COLLECTION_START, request=request, flow=flow, email=state["email"]
        )
        if "extension_prefill" not in state:  # OnAttributeCollectionStart, once per sign-up
            outcome = extension_points.provider().on_attribute_collection_start(
                hooks.journey_context(request, flow, state["email"])
            )
            if outcome is not None and outcome.action == "block":
                raise hooks.Blocked(outcome.title, outcome.message)
            state["extension_prefill"] = signup.json_values(outcome.values if outcome else {})
        initial = {**(prefill.get("values") or {}), **state["extension_prefill"]}
        return AttributesForm(data, flow=flow, initial=initial)

    def submit(self, request, flow, state, form):
        values = dict(form.cleaned_data)
        result = hooks.run(
            hooks.ATTRIBUTE_COLLECTION_SUBMIT,
            request=request,
            flow=flow,
            email=state["email"],
            values=values,
        )
        values.update(result.get("values") or {})
        outcome = extension_points.provider().on_attribute_collection_submit(
            hooks.journey_context(request, flow, state["email"]), values
        )
        if outcome is not None and outcome.action == "block":
            raise hooks.Blocked(outcome.title, outcome.message)
        if outcome is not None and outcome.action == "show_errors":
            errors: dict[str, list[str]] = {NON_FIELD_ERRORS: [outcome.message]}
            for name, message in outcome.field_errors.items():
                errors[name if name in form.fields else NON_FIELD_ERRORS] = [message]
            raise ValidationError({k: [m for m in v if m] for k, v in errors.items() if any(v)})
        if outcome is not None:
            values.update(outcome.values)
        state["attributes"] = signup.json_values(values)
        signup.record_step(request, flow, "signup.attributes_collected", {"count": len(values)})


SIGNUP_STEPS: list[type[SignUpStep]] = [EmailStep, VerifyEmailStep, PasswordStep, AttributesStep]


def pending_step(flow: UserFlow, state: dict) -> SignUpStep | None:
    for cls in SIGNUP_STEPS:
        step = cls()
        if step.applies(flow) and step.key not in state.get("done", []):
            return step
    return None
