import plotly.graph_objects as go

from tracing_portal.bluezone.models import TraceState
from tracing_portal.stats import charts
from tracing_portal.stats.tracing_figures import TraceFigures


def test_figures_built_without_validation_match_what_plotly_validates():
    # Figures skip plotly's (slow) validation; their JSON must be what validation gives.
    counts = {value: i * 7 for i, (value, _label) in enumerate(TraceState.choices)}
    fig = charts.traces_by_status_figure(TraceFigures(by_status=counts, total=sum(counts.values())))
    validated = go.Figure(fig.to_plotly_json())
    assert charts.figure_json(fig) == charts.figure_json(validated)
    assert list(fig.data[0].x) == list(counts.values())
