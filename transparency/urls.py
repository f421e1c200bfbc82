"""Page URLs: `public_urlpatterns` under /public/ (no sign-in), `urlpatterns` under /transparency/."""

from django.urls import path

from .views import objections, public

public_urlpatterns = [
    path("", public.index, name="index"),
    path("tenders/<int:pk>/", public.tender_detail, name="tender"),
    path("listings/", public.listings, name="listings"),
]

urlpatterns = [
    path("objections/", objections.objection_list, name="objection-list"),
    path("objections/new/", objections.objection_create, name="objection-create"),
    path("objections/queue/", objections.answer_queue, name="answer-queue"),
    path("objections/<int:pk>/", objections.objection_detail, name="objection-detail"),
    path("objections/<int:pk>/document/", objections.objection_document, name="objection-document"),
    path("objections/<int:pk>/answer/", objections.objection_answer, name="objection-answer"),
    path("objections/<int:pk>/appeal/", objections.objection_appeal, name="objection-appeal"),
    path("objections/<int:pk>/decide-appeal/", objections.appeal_decide, name="appeal-decide"),
    path("appeals/", objections.appeal_queue, name="appeal-queue"),
]
