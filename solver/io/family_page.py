"""The family's copy of a tailored list: one plain-English, print-ready (A4) HTML page.

It says what the list is, who issued it and when, why each setting is on it and, apart, what
to know about it, the settings not on it and why, and the family's rights and next steps.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import pandas as pd

from solver.domain.model import Child
from solver.domain.reasons import Reason
from solver.domain.scenario import Policy, RankKey, Scenario
from solver.io.words import (
    ANY_NEED_WORDS,
    FITS,
    MARKS,
    NEED_FITS,
    RANK_WORDS,
    REASON_WORDS,
    count,
    minutes,
    need_words,
    reasons_of,
    setting_type_words,
    year_group,
)


@dataclass(frozen=True)
class Issue:
    """Who issues a tailored list and on what day: printed on the family's page."""

    day: date
    la: str = "the local authority"

    @classmethod
    def of(cls, scenario: Scenario, day: date) -> Issue:
        """Lists issued on `day` under a scenario: its LA's name, if it gives one."""
        return cls(day, scenario.la_name) if scenario.la_name else cls(day)


_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.45;
  color: #0b0c0c; max-width: 180mm; margin: 0 auto; padding: 8px; }
h1 { font-size: 20pt; margin: 0 0 4px; }
h2 { font-size: 14pt; margin: 18px 0 6px; border-bottom: 2px solid #0b0c0c; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid #505a5f; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
td ul { margin: 0; padding-left: 16px; }
.meta { margin: 0 0 12px; }
.setting { border-left: 4px solid #1d70b8; padding: 2px 0 2px 10px; margin: 10px 0; }
.setting h3 { font-size: 12pt; margin: 0 0 2px; }
.setting p { margin: 2px 0; }
.know { background: #fff7bf; padding: 2px 6px; margin-top: 4px; }
.know ul { margin: 2px 0; padding-left: 18px; }
@media print {
  body { max-width: none; padding: 0; }
  tr, .setting { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


def family_page(lists: pd.DataFrame, child: Child, policy: Policy, issue: Issue) -> str:
    """The family's page for one child from their rows of the tailored lists."""
    rows = lists[lists["child_id"] == child.child_id]
    on = rows[rows["on_list"]].sort_values("rank")
    off = rows[~rows["on_list"]]
    limit = policy.limit_for(child.phase)
    return (
        "<!doctype html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Tailored list of settings, child {_e(child.child_id)}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>Your child's tailored list of settings</h1>"
        f"<p class='meta'>From {_e(issue.la)}. Issued on {_day(issue.day)}. "
        f"Child reference {_e(child.child_id)}.</p></header><main>"
        + _what_it_is(child, policy, issue, limit, len(on))
        + _listed(on)
        + _not_listed(off, policy.cutoff_minutes)
        + _rights(issue)
        + "</main></body></html>\n"
    )


def _e(value: object) -> str:
    return "" if pd.isna(value) else html.escape(str(value))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _what_it_is(child: Child, policy: Policy, issue: Issue, limit: int, listed: int) -> str:
    """What the list is: the child's year and needs, the journey limit, how it is ranked."""
    needs = f"main need: {need_words(child.primary_need)}"
    if child.secondary_need is not None:
        needs += f"; other need: {need_words(child.secondary_need)}"
    keys = [
        RANK_WORDS[k]
        for k in policy.ranking
        if k is not RankKey.MAINSTREAM or policy.mainstream_first
    ]
    return (
        "<h2>What this list is</h2>"
        f"<p>This list holds {count(listed, 'setting')}: the schools, colleges and other "
        f"settings {_e(issue.la)} has found can meet the needs of your child "
        f"({year_group(child.ncy)}, {_e(needs)}) with a journey from home of no more than "
        f"{limit} minutes each way.</p>"
        f"<p>They are in order: {_e('; '.join(keys))}. The order is not a decision.</p>"
        "<p>The list is to help you say which setting you would prefer. It does not decide "
        "where your child will go, and it does not limit what you may ask for (see "
        "<a href='#rights'>your rights</a>).</p>"
    )


def _bullets(reasons: list[Reason]) -> str:
    return "<ul>" + "".join(f"<li>{_e(REASON_WORDS[r])}</li>" for r in reasons) + "</ul>"


def _vacancies(value: float) -> str:
    if pd.isna(value):
        return "Not known"
    return "None at present" if int(value) <= 0 else str(int(value))


def _listed(on: pd.DataFrame) -> str:
    """The settings on the list, in order: facts, why each is on it and, kept apart, what to
    know about it."""
    if on.empty:
        return (
            "<h2>Settings on the list</h2><p>No setting meets every test. Your caseworker will "
            "talk to you about what happens next.</p>"
        )
    body = ""
    for r in on.itertuples():
        reasons = reasons_of(r.reasons)
        why = " ".join(_e(REASON_WORDS[x]) for x in reasons if x in FITS)
        if not NEED_FITS.intersection(reasons):
            why += " " + ANY_NEED_WORDS
        know = [x for x in reasons if x not in FITS]
        body += (
            f"<section class='setting'><h3>{_e(r.rank)}. {_e(r.name)}</h3>"
            f"<p class='facts'>{_e(setting_type_words(r.setting_type))}. "
            f"Journey each way: {minutes(r.travel_minutes)}. "
            f"Vacancies: {_vacancies(r.vacancy)}. "
            f"Ofsted: {_e(r.ofsted) or 'no rating published'}.</p>"
            f"<p class='fits'><strong>Why it is on the list:</strong> {why}</p>"
            + (
                f"<div class='know'><strong>What to know:</strong>{_bullets(know)}</div>"
                if know
                else ""
            )
            + "</section>"
        )
    return "<h2>Settings on the list, in order</h2>" + body


def _not_listed(off: pd.DataFrame, cutoff: int) -> str:
    """Settings within reach that are not on the list and why; the far ones counted."""
    near = off[off["travel_minutes"].notna()].sort_values("name")
    far = len(off) - len(near)
    body = "".join(
        f"<tr><th scope='row'>{_e(name)}</th><td>{_e(setting_type_words(kind))}</td>"
        f"<td>{_bullets([x for x in reasons_of(codes) if x not in FITS | MARKS])}</td></tr>"
        for name, kind, codes in zip(
            near["name"].tolist(),
            near["setting_type"].tolist(),
            near["reasons"].tolist(),
            strict=True,
        )
    )
    table = (
        "<table><caption>Settings within reach that are not on the list</caption><thead><tr>"
        "<th scope='col'>Setting</th><th scope='col'>Kind of setting</th>"
        f"<th scope='col'>Why it is not on the list</th></tr></thead><tbody>{body}</tbody>"
        "</table>"
        if body
        else ""
    )
    rest = (
        f"<p>{count(far, 'other setting')} {'is' if far == 1 else 'are'} more than {cutoff} "
        "minutes away, or without a known journey, so not shown.</p>"
        if far
        else ""
    )
    return "<h2>Settings not on the list</h2>" + table + rest


def _rights(issue: Issue) -> str:
    """The family's rights (Children and Families Act 2014 ss38-39) and next steps."""
    la = _e(issue.la)
    return (
        "<h2 id='rights'>Your rights</h2>"
        "<p>You have the right to ask for a particular school or college to be named in your "
        "child's education, health and care (EHC) plan, whether or not it is on this list. You "
        "may ask for any state school (maintained, academy or free school), further education "
        "college, non-maintained special school, or independent special school or college "
        "approved under section 41 of the Children and Families Act 2014 (section 38).</p>"
        f"<p>{la} must name the one you ask for unless it is unsuitable for your child's age, "
        "ability, aptitude or special educational needs, or it would be incompatible with the "
        "efficient education of other children or the efficient use of resources (section 39). "
        "A setting on this list with no vacancy, or much dearer than another suitable one, is "
        "still one you may ask for.</p>"
        "<p>You may also ask for another independent school; the council must consider your "
        "request. If you disagree with the school or college named in your child's final plan, "
        "you can appeal to the First-tier Tribunal (Special Educational Needs and Disability), "
        "after first getting advice about mediation.</p>"
        "<h2>What to do next</h2><ol>"
        "<li>Look at the settings on the list; you can ask to visit them.</li>"
        "<li>Tell your caseworker which setting you would prefer, or ask for one that is not "
        "on the list. When you receive a draft plan you have 15 days to say which you "
        "want.</li>"
        "<li>Ask your caseworker about anything on this page you are unsure of.</li>"
        "<li>For free, impartial advice, contact your local SEND Information, Advice and "
        "Support Service (SENDIASS).</li></ol>"
    )
