"""The patient's copy as a PDF in large type, made on the server with reportlab (nothing fetched).

DejaVu Sans (Debian's fonts-dejavu-core) covers Spanish and most Latin, Cyrillic and Vietnamese
text a patient may write their goals in; where it is not installed, Helvetica (Latin-1, which
includes every Spanish letter) is used.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from tandem.careplans.patient_copy import CopyGoal, PatientCopy

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
BODY_PT = 18


def _fonts() -> tuple[str, str]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    ink = HexColor("#1b1f24")
    return {
        "title": ParagraphStyle(
            "title", fontName=bold, fontSize=30, leading=36, spaceAfter=10, textColor=ink
        ),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=24, leading=30, spaceBefore=14, spaceAfter=6),
        "goal": ParagraphStyle("goal", fontName=bold, fontSize=22, leading=28, spaceBefore=10, spaceAfter=4),
        "body": ParagraphStyle(
            "body", fontName=regular, fontSize=BODY_PT, leading=BODY_PT * 1.35, spaceAfter=4
        ),
        "step": ParagraphStyle(
            "step", fontName=regular, fontSize=BODY_PT, leading=BODY_PT * 1.35, leftIndent=18, spaceAfter=6
        ),
    }


def _bold(text: str) -> str:
    # An explicit face rather than <b>, which needs a registered font family to find the bold face.
    return f'<font name="{_fonts()[1]}">{escape(text)}</font>'


def _goal_block(goal: CopyGoal, copy: PatientCopy, s: dict[str, ParagraphStyle]) -> KeepTogether:
    label = copy.labels
    parts = [Paragraph(f"{escape(label['goal'])} {goal.number}: {escape(goal.text)}", s["goal"])]
    if goal.why:
        parts.append(Paragraph(f"{_bold(label['why'] + ':')} {escape(goal.why)}", s["body"]))
    if goal.target:
        parts.append(Paragraph(f"{_bold(label['target'] + ':')} {escape(goal.target)}", s["body"]))
    parts.append(Paragraph(f"{_bold(label['status'] + ':')} {escape(goal.status)}", s["body"]))
    if goal.steps:
        parts.append(Paragraph(_bold(label["steps"]), s["body"]))
        for step in goal.steps:
            parts.append(
                Paragraph(
                    f"• {escape(step.description)} {_bold('(' + step.status + ')')}<br/>"
                    f"{escape(label['who'])}: {escape(step.who)} · {escape(step.how)} · "
                    f"{escape(label['due'])} {escape(step.due)}",
                    s["step"],
                )
            )
    return KeepTogether(parts)


def render(copy: PatientCopy) -> bytes:
    """The PDF bytes of one patient copy."""
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=copy.title,
        lang=copy.language,
    )
    story: list[object] = [Paragraph(escape(f"{copy.title} — {copy.name}"), s["title"])]
    if copy.draft_note:
        story.append(Paragraph(escape(copy.draft_note), s["body"]))
    story += [Paragraph(escape(copy.intro), s["body"]), Paragraph(escape(copy.goals_heading), s["h2"])]
    story += [_goal_block(g, copy, s) for g in copy.goals] or [
        Paragraph(escape(copy.labels["no_goals"]), s["body"])
    ]
    if copy.achieved:
        story.append(Paragraph(escape(copy.achieved_heading), s["h2"]))
        story += [Paragraph(f"• {escape(g.text)}", s["body"]) for g in copy.achieved]
    story += [Spacer(1, 12), Paragraph(escape(copy.contact_heading), s["h2"])]
    story += [Paragraph(escape(line), s["body"]) for line in copy.contact_lines]
    story += [
        Spacer(1, 12),
        Paragraph(escape(copy.closing), s["body"]),
        Paragraph(escape(copy.prepared), s["body"]),
    ]
    doc.build(story)
    return out.getvalue()
