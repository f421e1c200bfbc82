"""Request guards shared by every page and endpoint."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .api import error_body
from .errors import CommonError, DomainError, ValidationFailed
from .numbers import parse_int

# Room for the other form fields and the multipart framing around the file itself.
MULTIPART_MARGIN = 1024 * 1024


def _content_length(request) -> int:
    """The declared body size; 0 when absent or not a number (Django then reads what is actually sent)."""
    try:
        return parse_int(request.META.get("CONTENT_LENGTH") or "0", field="Content-Length", min_value=0)
    except ValidationFailed:
        return 0


class UploadSizeLimitMiddleware:
    """Refuse a multipart upload larger than IMPORT_MAX_UPLOAD_BYTES before Django reads its body (413).

    The import services check the file size again (the command line has no request); this stops a huge body
    from being spooled to disk first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "multipart/form-data":
            length = _content_length(request)
            limit = settings.IMPORT_MAX_UPLOAD_BYTES
            if length > limit + MULTIPART_MARGIN:
                message = _("上传内容过大（%(value)s MB），文件不能超过 %(value2)s MB") % {
                    "value": length // (1024 * 1024),
                    "value2": limit // (1024 * 1024),
                }
                if request.path.startswith("/api/"):
                    return JsonResponse(error_body(CommonError.FILE_TOO_LARGE, message, "file"), status=413)
                return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DomainErrorPageMiddleware:
    """A domain error that a page view lets through — a bad number in a query string parsed by a selector the API
    shares (`/orders/?distributor=²`), a bad id in a form — is the request's fault: the page answers with the error's
    status (400 for bad input) and its message naming the field, never a 500. The API renders these itself
    (common.api.exception_handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(request, "common/input_error.html", {"error": exception}, status=exception.status_code)
