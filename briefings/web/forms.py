"""The search form: the reader's words and filters, validated and capped."""

from django import forms
from django.utils.translation import gettext_lazy as _

from briefings.articles.search import Query
from briefings.network.models import Publication, Region

MAX_PAGE = 50


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
    since = forms.DateField(required=False, label=_("From"), input_formats=["%Y-%m-%d"])
    until = forms.DateField(required=False, label=_("To"), input_formats=["%Y-%m-%d"])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

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
