from django.http import HttpResponse
from django.urls import path

app_name = "progress"


def _todo(request):
    return HttpResponse("")


urlpatterns: list = [path("hospital/", _todo, name="hospital")]
