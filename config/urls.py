from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts import views as accounts_views
from accounts.forms import PlatformAdminAuthenticationForm
from catalog import api as catalog_api
from common.api import Router
from contracts import api as contracts_api
from payment_standards import api as payment_standards_api
from pharmacies import api as pharmacies_api
from pharmacies import views as pharmacies_views
from pricing import api as pricing_api
from procurement import api as procurement_api
from qualifications import api as qualifications_api
from settlement import api as settlement_api
from traceability import api as traceability_api
from transparency import api as transparency_api
from transparency import urls as transparency_urls

API_MODULES = (
    accounts_api,
    catalog_api,
    procurement_api,
    pricing_api,
    settlement_api,
    transparency_api,
    qualifications_api,
    contracts_api,
    payment_standards_api,
    traceability_api,
    pharmacies_api,
)

router = Router()
for module in API_MODULES:
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)

api_v1 = [path("", include(router.urls))]
for module in API_MODULES:
    api_v1 += module.urlpatterns

admin.site.site_header = "药械集采平台 管理后台"
admin.site.site_title = "药械集采平台"
admin.site.index_title = "平台管理"
admin.site.login_form = PlatformAdminAuthenticationForm  # says why a deactivated organisation's user cannot sign in

urlpatterns = [
    path("healthz", accounts_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("tenders/", include("procurement.urls.tenders")),
    path("orders/", include("procurement.urls.orders")),
    path("pricing/", include("pricing.views")),
    path("progress/", include("procurement.urls.progress")),
    path("listings/", include("procurement.urls.applications")),
    path("qualifications/", include("qualifications.urls")),
    path("settlement/", include("settlement.urls")),
    path("public/dual-channel/", pharmacies_views.public_list, name="public-dual-channel"),
    path("public/", include((transparency_urls.public_urlpatterns, "public"))),
    path("transparency/", include((transparency_urls.urlpatterns, "transparency"))),
    path("contracts/", include("contracts.urls")),
    path("payment-standards/", include("payment_standards.urls")),
    path("traceability/", include("traceability.urls")),
    path("pharmacies/", include("pharmacies.urls")),
    path("inbox/", include("common.views.inbox")),
    path("jobs/", include("common.views.jobs")),
    path("api/v1/", include(api_v1)),
    path("api/ocds/", include("ocds.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # DRF marks its views login-exempt (it authenticates itself); the docs pages are for signed-in users.
    # the split view serves Swagger UI's initialiser as a script file (?script): no inline script, as the CSP wants
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", login_required(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("", accounts_views.home, name="home"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
