from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form with a translatable password label.

    Wagtail leaves the label to Django's ``pretty_name("password")``, which is
    never translated: the Vietnamese sign-in page said "Password".
    """

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
    )
