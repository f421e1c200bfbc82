from django.urls import path

from . import views

app_name = "payment_standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("review/", views.review, name="review"),
]
