"""Admin center forms of the directory: users, groups, custom attributes, import, access."""

from __future__ import annotations

from django import forms

from directory.emails import EmailFormField
from directory.models import CustomAttribute


class UserSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Starts with")
    search_in = forms.ChoiceField(
        required=False, choices=[("email", "Email"), ("name", "Name")], label="Search in"
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any"), ("active", "Enabled"), ("blocked", "Blocked")]
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("email", "Email"),
            ("-email", "Email (Z-A)"),
            ("name", "Name"),
            ("-name", "Name (Z-A)"),
            ("-created", "Newest"),
            ("created", "Oldest"),
        ],
    )
    attribute = forms.CharField(required=False, label="Attribute", help_text="name=value")


class CreateUserForm(forms.Form):
    email = EmailFormField()
    display_name = forms.CharField(max_length=256, required=False)
    given_name = forms.CharField(max_length=128, required=False)
    surname = forms.CharField(max_length=128, required=False)
    password_mode = forms.ChoiceField(
        choices=[
            ("generate", "Generate a one-time password"),
            ("email_otp", "No password (sign in with an email code)"),
        ],
        initial="generate",
        widget=forms.RadioSelect,
        label="Password",
    )


class EditUserForm(forms.Form):
    email = EmailFormField()
    display_name = forms.CharField(max_length=256, required=False)
    given_name = forms.CharField(max_length=128, required=False)
    surname = forms.CharField(max_length=128, required=False)
    job_title = forms.CharField(max_length=128, required=False)
    street_address = forms.CharField(max_length=256, required=False)
    city = forms.CharField(max_length=128, required=False)
    state = forms.CharField(max_length=128, required=False, label="State or province")
    postal_code = forms.CharField(max_length=40, required=False)
    country = forms.CharField(max_length=128, required=False, label="Country or region")

    def __init__(self, *args, attributes: list[CustomAttribute] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.attribute_names = []
        for attribute in attributes:
            key = f"attr_{attribute.name}"
            self.attribute_names.append((key, attribute.name))
            if attribute.data_type == CustomAttribute.DataType.BOOLEAN:
                self.fields[key] = forms.NullBooleanField(
                    required=False, label=attribute.label, help_text=attribute.description
                )
            elif attribute.data_type == CustomAttribute.DataType.INTEGER:
                self.fields[key] = forms.IntegerField(
                    required=False, label=attribute.label, help_text=attribute.description
                )
            elif attribute.data_type == CustomAttribute.DataType.DATE:
                self.fields[key] = forms.DateField(
                    required=False,
                    label=attribute.label,
                    help_text=attribute.description,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            else:
                self.fields[key] = forms.CharField(
                    required=False,
                    max_length=1024,
                    label=attribute.label,
                    help_text=attribute.description,
                )


class ResetPasswordForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("temporary", "One-time temporary password"),
            ("email", "Force a reset by email"),
        ],
        widget=forms.RadioSelect,
        initial="temporary",
    )


class GroupForm(forms.Form):
    display_name = forms.CharField(max_length=256, label="Name")
    description = forms.CharField(max_length=1024, required=False)


class AddMemberForm(forms.Form):
    email = EmailFormField(label="Member email")


class AttributeForm(forms.Form):
    name = forms.SlugField(max_length=64, help_text="Letters, digits, - and _; fixed once made")
    data_type = forms.ChoiceField(choices=CustomAttribute.DataType.choices)
    label = forms.CharField(max_length=128)
    description = forms.CharField(max_length=512, required=False)


class EditAttributeForm(forms.Form):
    label = forms.CharField(max_length=128)
    description = forms.CharField(max_length=512, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or JSON; at most 50 MB")


class ScimTokenForm(forms.Form):
    name = forms.CharField(max_length=128, help_text="Which provisioning client uses it")


class ApiGrantForm(forms.Form):
    client_id = forms.CharField(max_length=100, label="Daemon app (client ID)")
    permission = forms.ChoiceField(choices=[])

    def __init__(self, *args, permissions: list[str] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        permission_field = self.fields["permission"]
        assert isinstance(permission_field, forms.ChoiceField)
        permission_field.choices = [(p, p) for p in permissions]
