"""The family's page: plain English, the issue date and LA, why each setting fits kept apart
from what to know about it, the settings not on the list, and the family's rights."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from solver.domain.model import Child, SettingType
from solver.domain.reasons import Reason
from solver.domain.scenario import Policy
from solver.io.family_page import Issue, family_page
from solver.placement.tailored import tailored_lists
from tests.placement.test_tailored import PLACES, SETTINGS
from tests.placement_tables import (
    TARIFFS,
    child,
    children_table,
    journeys_table,
    place,
    places_table,
    setting,
    settings_table,
)


class _Page(HTMLParser):
    """The page's visible text and its tables as rows of cell texts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.settings: list[dict[str, str]] = []
        self._part: str | None = None
        self._skip = False
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "section" and classes == "setting":
            self.settings.append({})
        elif self.settings and (tag == "h3" or classes in {"facts", "fits", "know"}):
            self._part = tag if tag == "h3" else classes
            self.settings[-1][self._part] = ""
        if tag in {"style", "title"}:
            self._skip = True
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "li" and self._cell is not None:
            self._cell.append("|")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h3", "p", "div"}:
            self._part = None
        if tag in {"style", "title"}:
            self._skip = False
        elif tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._part is not None:
            self.settings[-1][self._part] += data
        if self._cell is not None:
            self._cell.append(data)


def _page_for_a() -> _Page:
    """Child A (Year 3, autism) 10 minutes from every setting but setting 2 (out of reach)."""
    a = child("A", 3, "ASD", secondary_need="SEMH")
    minutes = {("A", u): 10.0 for u in SETTINGS["urn"] if u != "2"}
    lists = tailored_lists(
        children_table([a]), SETTINGS, PLACES, journeys_table(minutes), TARIFFS, Policy()
    )
    issue = Issue(date(2026, 12, 6), "Testshire Council")
    return _Page(family_page(lists, Child.from_row(children_table([a]).iloc[0]), Policy(), issue))


def test_page_says_who_issued_it_when_and_for_which_child() -> None:
    """The LA, the day in words, the child's year group, needs in words and journey limit."""
    text = " ".join(" ".join(_page_for_a().text).split())
    assert "From Testshire Council. Issued on 6 December 2026." in text
    assert "Year 3, main need: Autism; other need: Social, emotional and mental health" in text
    assert "no more than 45 minutes each way" in text


def test_why_it_fits_is_kept_apart_from_what_to_know() -> None:
    """Setting 3 (special, full, much dearer): on the list because it fits the child's need;
    "no vacancy" and "costs much more" appear only under what to know. Setting 1: nothing."""
    listed = {block["h3"]: block for block in _page_for_a().settings}
    assert list(listed) == ["1. Setting 1", "2. Setting 5", "3. Setting 3"]
    special = listed["3. Setting 3"]
    assert special["facts"] == (
        "State special school. Journey each way: 10 min. Vacancies: None at present. Ofsted: Good."
    )
    assert special["fits"] == (
        "Why it is on the list: It teaches your child's year group. It caters for your "
        "child's main need. The journey from home is within the council's limit."
    )
    assert "vacancy" not in special["fits"] and "costs" not in special["fits"]
    assert "no vacancy" in special["know"] and "costs much more" in special["know"]
    assert "know" not in listed["1. Setting 1"]


def test_settings_not_on_the_list_say_why_and_far_ones_are_counted() -> None:
    """Setting 4 (a girls' SEMH school: the boy's other need) is off for sex alone; setting 2,
    out of reach, is counted, not listed."""
    page = _page_for_a()
    assert page.tables[0][1:] == [
        [
            "Setting 4",
            "State special school",
            "|It is a single-sex school for the other sex.",
        ]
    ]
    assert "1 other setting is more than 75 minutes away" in " ".join(page.text)


def test_page_states_the_familys_rights_and_next_steps_without_codes() -> None:
    """Rights (s38-39, appeal) and next steps are there; no setting type, reason or need code."""
    text = " ".join(_page_for_a().text)
    assert "section 38" in text and "section 39" in text and "First-tier Tribunal" in text
    assert "What to do next" in text and "15 days" in text
    codes = [t.value for t in SettingType] + [r.value for r in Reason] + ["ASD", "SEMH"]
    codes = [c for c in codes if c != "mainstream"]  # a code that is also the plain word
    assert [c for c in codes if c in text] == []


def test_a_child_no_setting_suits_is_told_so_with_every_setting_and_why() -> None:
    """A child out of reach of every setting: no listed setting, the caseworker to talk to, and
    every setting counted as too far."""
    b = child("B", 3, "ASD")
    lists = tailored_lists(
        children_table([b]), SETTINGS, PLACES, journeys_table({}), TARIFFS, Policy()
    )
    page = _Page(
        family_page(
            lists, Child.from_row(children_table([b]).iloc[0]), Policy(), Issue(date.today())
        )
    )
    text = " ".join(" ".join(page.text).split())
    assert page.settings == [] and "No setting meets every test" in text
    assert f"{len(SETTINGS)} other settings are more than 75 minutes away" in text
    assert "From the local authority." in text


def test_a_setting_no_need_rule_applies_to_says_it_takes_any_need() -> None:
    """Alternative provision (no designation rule) is on the list of a child with SLD: the page
    says it takes children whatever their need, not that it caters for the child's."""
    c = child("C", 8, "SLD")
    settings = settings_table([setting("AP", "alternative_provision", ncy_low=0, ncy_high=11)])
    lists = tailored_lists(
        children_table([c]),
        settings,
        places_table([place("AP", 10, 5)]),
        journeys_table({("C", "AP"): 12.0}),
        TARIFFS,
        Policy(),
    )
    page = _Page(
        family_page(
            lists, Child.from_row(children_table([c]).iloc[0]), Policy(), Issue(date.today())
        )
    )
    [block] = page.settings
    assert block["fits"].endswith("It takes children whatever their need.")
    assert "main need" not in block["fits"]


def test_the_order_it_states_is_the_order_given() -> None:
    """An independent mainstream school 5 minutes away ranks after a state mainstream school 20
    minutes away (only state mainstream schools count as mainstream), and the page says so
    rather than "mainstream before special"."""
    d = child("D", 3, "MLD")
    settings = settings_table(
        [
            setting("S", "mainstream", ncy_low=0, ncy_high=6),
            setting("I", "independent_mainstream", ncy_low=0, ncy_high=6),
        ]
    )
    lists = tailored_lists(
        children_table([d]),
        settings,
        places_table([place("S", 30, 5), place("I", 30, 5)]),
        journeys_table({("D", "S"): 20.0, ("D", "I"): 5.0}),
        TARIFFS,
        Policy(),
    )
    page = _Page(
        family_page(
            lists, Child.from_row(children_table([d]).iloc[0]), Policy(), Issue(date.today())
        )
    )
    assert [block["h3"] for block in page.settings] == ["1. Setting S", "2. Setting I"]
    text = " ".join(" ".join(page.text).split())
    assert "mainstream schools before special schools" not in text
    assert (
        "state mainstream schools (with or without a specialist base) before other settings "
        "(special and independent schools, colleges, alternative provision)"
    ) in text
