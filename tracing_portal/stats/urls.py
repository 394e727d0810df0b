from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("league.csv", views.LeagueTableCsvView.as_view(), name="league_csv"),
    path("trend.csv", views.TrendCsvView.as_view(), name="trend_csv"),
    path("tracing/<slug:name>.csv", views.TracingCsvView.as_view(), name="tracing_csv"),
    path("provinces.geojson", views.provinces_geojson, name="provinces_geojson"),
]
