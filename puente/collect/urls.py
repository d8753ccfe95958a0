"""The pages under /forms/ and the OpenRosa server under /collect/<project>/ (the URL
ODK Collect and Enketo are given is the server's root, docs/collect.md)."""

from django.urls import path

from puente.collect import exports_views, server, views

app_name = "collect"
urlpatterns = [
    path("forms/", views.projects, name="projects"),
    path("forms/publish/", views.publish, name="publish"),
    path("forms/quarantine/", views.quarantine, name="quarantine"),
    path(
        "forms/<slug:project>/<str:form_id>/export/",
        exports_views.form_export,
        name="form_export",
    ),
    path("forms/exports/<int:export_id>/", exports_views.export_detail, name="export_detail"),
    path(
        "forms/exports/<int:export_id>/download/",
        exports_views.export_download,
        name="export_download",
    ),
    path("forms/quarantine/<int:item_id>/", views.quarantine_item, name="quarantine_item"),
    path("forms/submissions/<int:submission_id>/", views.submission, name="submission_detail"),
    path(
        "forms/submissions/<int:submission_id>/files/<str:filename>",
        views.submission_file,
        name="submission_file",
    ),
    # After the fixed paths above: a project's code never hides them.
    path("forms/<slug:project>/<str:form_id>/", views.form_submissions, name="form_submissions"),
    path("collect/<slug:project>/formList", server.form_list, name="form_list"),
    path("collect/<slug:project>/forms/<str:form_id>/form.xml", server.form_xml, name="form_xml"),
    path("collect/<slug:project>/forms/<str:form_id>/manifest", server.manifest, name="manifest"),
    path(
        "collect/<slug:project>/forms/<str:form_id>/media/<str:filename>",
        server.media,
        name="media",
    ),
    path("collect/<slug:project>/submission", server.submission, name="submission"),
]
