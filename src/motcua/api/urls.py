from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script and page styles come as files (the split view, our template): the
    # Content-Security-Policy blocks inline ones.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("766/score/", views.ScoreView.as_view(), name="index766-score"),
    path("766/explain/", views.ExplainView.as_view(), name="index766-explain"),
    path("766/forecast/", views.ForecastView.as_view(), name="index766-forecast"),
    path("766/tasks/<uuid:task_id>/", views.TaskView.as_view(), name="index766-task"),
]
