"""QuickSelect renders the markup of Django's Select templates (every menu of countries uses it)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.forms import QuickSelect

CHOICES = [("", "Any"), ("MX", "Mexico"), ("X&Y", 'A <b>"quoted"</b> & label'), (3, "Three")]


def squeeze(html: str):  # the parsed markup: the same elements, attributes and text, in any attribute order
    return parse_html(html)


@pytest.mark.parametrize("value", [None, "", "MX", "X&Y", "3", ["MX"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_country", "class": "usa-select", "required": True, "disabled": False}])
def test_the_same_markup_as_djangos_templates(value, attrs):
    quick, plain = QuickSelect(choices=CHOICES), forms.Select(choices=CHOICES)
    assert squeeze(quick.render("country", value, attrs)) == squeeze(plain.render("country", value, attrs))


def test_the_markup_escapes_and_marks_the_choice():
    html = QuickSelect(choices=CHOICES).render("country", "X&Y")
    assert '<option value="X&amp;Y" selected>A &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; label</option>' in html


def test_option_groups_fall_back_to_the_templates():
    grouped = [("North", [("MX", "Mexico"), ("CA", "Canada")]), ("", "None")]
    assert squeeze(QuickSelect(choices=grouped).render("c", "CA")) == squeeze(forms.Select(choices=grouped).render("c", "CA"))


def test_every_menu_of_countries_uses_it():
    from core.forms import CountryForm, ResidenceFields
    from offices.filters import OfficeFilter
    from service_requests.forms import CallerFileForm

    menus = [CountryForm().fields["country"], ResidenceFields().fields["country"],
             OfficeFilter().form.fields["country"], CallerFileForm().fields["country"]]
    assert all(isinstance(menu.widget, QuickSelect) and len(list(menu.choices)) > 200 for menu in menus)
