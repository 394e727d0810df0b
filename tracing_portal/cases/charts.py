"""The transmission chain of a person as a Plotly tree: levels top to bottom."""

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from .models import Case, CaseStatus

LEVEL_COLOURS = ["#a40e26", "#c2570c", "#9a6700", "#0b5394", "#5a32a3", "#545d68"]
# The outline's colour says the status as well as the shape does.
STATUS_OUTLINES = {
    CaseStatus.ACTIVE: "#ffffff",
    CaseStatus.NEGATIVE: "#1a7f37",
    CaseStatus.RECOVERED: "#0969da",
    CaseStatus.DECEASED: "#000000",
    CaseStatus.RELEASED: "#8c959f",
}
STATUS_SYMBOLS = {
    CaseStatus.ACTIVE: "circle",
    CaseStatus.NEGATIVE: "x",
    CaseStatus.RECOVERED: "diamond",
    CaseStatus.DECEASED: "square",
    CaseStatus.RELEASED: "triangle-up",
}


def tree_layout(root: Case, people: list[Case]) -> dict[int, tuple[float, int]]:
    """Tidy layered layout: leaves side by side, each parent centred over its children."""
    children: dict[int, list[Case]] = {}
    for person in people:
        children.setdefault(person.source_id, []).append(person)
    positions: dict[int, tuple[float, int]] = {}
    next_x = 0.0
    stack: list[tuple[Case, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        kids = children.get(node.pk, [])
        if not kids:
            positions[node.pk] = (next_x, node.level)
            next_x += 1
        elif expanded:
            xs = [positions[k.pk][0] for k in kids]
            positions[node.pk] = ((min(xs) + max(xs)) / 2, node.level)
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
    return positions


def chain_figure(root: Case, people: list[Case]) -> go.Figure:
    positions = tree_layout(root, people)
    everyone = [root, *people]
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for person in people:
        if person.source_id in positions:
            x0, y0 = positions[person.source_id]
            x1, y1 = positions[person.pk]
            edge_x += [x0, x1, None]
            edge_y += [-y0, -y1, None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=edge_x,
            y=edge_y,
            mode="lines",
            line={"color": "#8c959f", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for level in sorted({p.level for p in everyone}):
        group = [p for p in everyone if p.level == level]
        fig.add_trace(
            go.Scatter(
                x=[positions[p.pk][0] for p in group],
                y=[-positions[p.pk][1] for p in group],
                mode="markers+text" if len(everyone) <= 60 else "markers",
                name=f"F{level}",
                text=[p.code for p in group],
                textposition="bottom center",
                marker={
                    "size": 16 if len(everyone) <= 200 else 8,
                    "color": LEVEL_COLOURS[min(level, len(LEVEL_COLOURS) - 1)],
                    "symbol": [STATUS_SYMBOLS.get(p.status, "circle") for p in group],
                    "line": {
                        "color": [STATUS_OUTLINES.get(p.status, "#ffffff") for p in group],
                        "width": 2,
                    },
                },
                customdata=[
                    [p.full_name, p.get_status_display(), p.get_verification_display()]
                    for p in group
                ],
                hovertemplate="<b>%{text}</b> · %{customdata[0]}<br>"
                + _("Status")
                + ": %{customdata[1]}<br>"
                + _("Verification")
                + ": %{customdata[2]}<extra>F"
                + str(level)
                + "</extra>",
            )
        )
    fig.update_layout(
        title=_("Transmission chain of %(code)s") % {"code": root.code},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        xaxis={"visible": False},
        yaxis={
            "tickvals": [-lvl for lvl in range(0, 6)],
            "ticktext": [f"F{lvl}" for lvl in range(0, 6)],
            "range": [-(max(p.level for p in everyone) + 0.7), -(root.level - 0.5)],
            "title": _("Level"),
        },
        legend={"title": {"text": _("Level")}},
        margin={"l": 60, "r": 20, "t": 50, "b": 20},
        height=max(360, 120 * (max(p.level for p in everyone) - root.level + 1)),
    )
    return fig
