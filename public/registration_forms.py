"""The public forms: signing up for a mission, and changing one's registration.

What is asked is what organising the trip needs (issue 15): who the person is and where
they work, how to reach them, their sector (the focus areas) and what they hope to find
or offer (for the B2B meetings), and, only if needed, dietary requirements and visa
notes. Those two may say something about health, religion or nationality, so they are
marked as sensitive and need a consent of their own (GDPR art. 9) when filled in.

Inputs carry ``autocomplete`` purposes (WCAG 1.3.5), so browsers fill them in. The
``website`` field is a honeypot: hidden from people (off screen, out of the tab order,
``aria-hidden``), filled in by bots that fill in everything (``views.register``).
"""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.models import FocusArea
from registrations.models import Registration
from registrations.services import DETAIL_FIELDS

SENSITIVE_FIELDS = ("dietary", "visa_notes")
HONEYPOT = "website"


class DetailsForm(forms.ModelForm):
    """What a person tells about themselves; also what they may change later."""

    sensitive_consent = forms.BooleanField(
        label=_(
            "I agree that my dietary requirements and visa notes are used to arrange catering "
            "and travel for this mission, as the privacy notice describes."
        ),
        required=False,
    )

    class Meta:
        model = Registration
        fields = list(DETAIL_FIELDS)  # what a person may change (services.update_details)
        labels = {
            "name": _("Name"),
            "organisation": _("Organisation or company"),
            "role": _("Your role there"),
            "phone": _("Telephone"),
            "sector": _("Sector"),
            "interests": _("What do you hope to find or offer?"),
            "dietary": _("Dietary requirements"),
            "visa_notes": _("Visa notes"),
        }
        help_texts = {
            "role": _("For example: owner, export manager, researcher."),
            "phone": _("Only used to reach you during the mission."),
            "interests": _(
                "For the business meetings: the partners, customers, suppliers or knowledge "
                "you are looking for, and what your organisation offers."
            ),
            "dietary": _("For example vegetarian, or an allergy."),
            "visa_notes": _(
                "For example your nationality, if the organiser needs it for a visa "
                "invitation letter. Never a passport number."
            ),
        }
        # Each says what to do (the error summary lists them; "This field is required" six
        # times would not say which is which).
        error_messages = {
            "name": {"required": _("Enter your name.")},
            "organisation": {"required": _("Enter the name of your organisation or company.")},
            "role": {"required": _("Enter your role in your organisation.")},
            "sector": {"required": _("Choose the sector you work in.")},
            "interests": {"required": _("Say what you hope to find or offer.")},
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "role": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "interests": forms.Textarea(attrs={"rows": 5}),
            "dietary": forms.Textarea(attrs={"rows": 2}),
            "visa_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sector = self.fields["sector"]
        sector.queryset = FocusArea.objects.order_by("order", "slug")
        sector.required = True
        if self.instance.pk and self.instance.sensitive_consented_at:
            self.fields["sensitive_consent"].initial = True
        self._name_the_field_when_too_long()

    def _name_the_field_when_too_long(self) -> None:
        """Django says "Ensure this value has at most 200 characters" (in Chinese "确保该变量
        …", "this variable"): neither says which field, and the error summary lists the
        messages alone. Each says its field's name instead; Django fills in the numbers."""
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                message = gettext(
                    "%(field)s: at most %(limit_value)d characters (this has %(show_value)d)."
                )
                field.error_messages["max_length"] = message.replace("%(field)s", str(field.label))

    def clean(self):
        cleaned = super().clean()
        sensitive = any(cleaned.get(name) for name in SENSITIVE_FIELDS)
        if sensitive and not cleaned.get("sensitive_consent"):
            self.add_error(
                "sensitive_consent",
                _(
                    "You filled in dietary requirements or visa notes: tick this box to agree "
                    "to their use, or leave them empty."
                ),
            )
        return cleaned

    @property
    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def main_fields(self):
        return [self[name] for name in ("name", "organisation", "role")]

    def contact_fields(self):
        return [self["phone"]]

    def sensitive_fields(self):
        return [self[name] for name in (*SENSITIVE_FIELDS, "sensitive_consent")]


class RegistrationForm(DetailsForm):
    """Signing up: the details, the e-mail address, consent, and the honeypot."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address such as name@example.com."),
        },
        help_text=_("We send a link to this address: your registration counts once you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice above and agree that my data is used as it says."),
        error_messages={"required": _("Tick this box to agree to the privacy notice.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, privacy_statement_url: str | None = None, **kwargs):
        """``privacy_statement_url``: the site's published privacy statement, which the
        consent then names and links; without one, the notice on the form is all there is."""
        super().__init__(*args, **kwargs)
        if privacy_statement_url:
            self.fields["consent"].label = format_html(
                gettext(
                    "I have read the privacy notice above and the site's {link_start}privacy "
                    "statement{link_end}, and agree that my data is used as they say."
                ),
                link_start=format_html('<a href="{}">', privacy_statement_url),
                link_end=mark_safe("</a>"),
            )

    def contact_fields(self):
        return [self[name] for name in ("email", "phone")]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))
