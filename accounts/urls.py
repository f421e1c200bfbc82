from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import PlatformAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=PlatformAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/deactivate/", views.organization_deactivate, name="organization-deactivate"),
    path("organizations/<int:pk>/reactivate/", views.organization_reactivate, name="organization-reactivate"),
]
