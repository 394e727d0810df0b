"""The tracing half of the dashboard: case figures beside the install rates.

Not built yet: it needs the cases, tracing and SMS models. Once they exist, this module
holds the selectors of the figures DESIGN.md lists beside the install rates (F0/F1/F2
counts, the verification backlog, Bluezone coverage among traced people, and the time from
verifying an F0 to opening its trace), each an SQL aggregate narrowed to the actor's
province with `tracing_portal.accounts.scoping.scope_to_province`, and the dashboard shows
them in `templates/stats/_tracing_figures.html`.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TracingFigures:
    """What the dashboard's tracing section shows; `figures` maps a label to a value."""

    figures: dict[str, object] = field(default_factory=dict)


def tracing_figures_summary(*, actor, province) -> TracingFigures | None:
    """The province's tracing figures, or None while the tracing models do not exist."""
    return None
