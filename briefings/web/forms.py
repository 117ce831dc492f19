"""The search form: the reader's words and filters, validated and capped."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from briefings.articles.search import Query
from briefings.network.models import Publication, Region

MAX_PAGE = 50
# Dates a reader may filter on: wide enough for any archive, far enough from
# the calendar's ends that a day later or a time zone never overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def within_calendar(day):
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search stories"), max_length=200, required=False)
    region = forms.ModelChoiceField(
        Region.objects.all(), to_field_name="slug", required=False, label=_("Region")
    )
    publication = forms.ModelChoiceField(
        Publication.objects.enabled(),
        to_field_name="slug",
        required=False,
        label=_("Newspaper"),
    )
    since = forms.DateField(
        required=False,
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        validators=[within_calendar],
    )
    until = forms.DateField(
        required=False,
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        validators=[within_calendar],
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, label=_("Page")
    )

    @property
    def region_options(self):
        # A comprehension, not list(): list() asks the iterator's length (a COUNT).
        return [choice for choice in self.fields["region"].choices]

    @property
    def publication_options(self):
        return [choice for choice in self.fields["publication"].choices]

    def query(self):
        data = self.cleaned_data
        return Query(
            text=data["q"],
            region=data["region"].slug if data["region"] else "",
            publication=data["publication"].slug if data["publication"] else "",
            since=data["since"],
            until=data["until"],
        )
