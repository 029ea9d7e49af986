"""An article as a PDF, rendered by WeasyPrint from the same HTML the CLI prints.

WeasyPrint lays out text with the system's pango (Debian: ``libpango-1.0-0`` and
``libpangoft2-1.0-0``). Where pango is missing, :class:`PdfUnavailable` says what to install;
the site answers 503 with that advice and the CLI exits 1, never with a traceback.
"""

from __future__ import annotations

from guidepath.answers.models import Answer

INSTALL_HINT = (
    "PDF export needs the pango text library: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "(or print the page to PDF from your browser)"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (pango missing)."""


def to_pdf(answer: Answer, status_line: str = "") -> bytes:
    """The article as PDF bytes; ``status_line`` (e.g. who approved it, when) is printed under
    the title so a printed copy carries its review status."""
    from guidepath.answers.render import to_html

    try:
        from weasyprint import HTML
    except OSError as error:  # pango or its companions are missing
        raise PdfUnavailable(INSTALL_HINT) from error
    html = to_html(answer, status_line=status_line)
    document = HTML(string=html, base_url=None)
    return bytes(document.write_pdf())
