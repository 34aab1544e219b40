"""Project-wide error answers: JSON `{"detail": ...}` for the API (/api/ and /health), Django's
HTML pages for the rest (the admin, the index).

Django's own errors (an unknown path, a bad Host header, a body it refuses to read) reach the
error views below, named in urls.py. Errors that a view renders in another format (the docs
page's 405) are rewritten by `json_errors_middleware`. The API views' own errors (a 400 with
each problem, a 404) are errors.py's.
"""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.renderers import BrowsableAPIRenderer

from .hardening import too_large


def is_api(request: HttpRequest) -> bool:
    path = request.path
    return path.startswith("/api/") or path == "/health" or path.startswith("/health/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        # Django refusing to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (a form's, say).
        return too_large()
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)


def json_errors_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """An API client error (4xx) in another format than JSON becomes `{"detail": ...}`, with
    its status and headers (a 405's `Allow`). A 500 is server_error's; with DEBUG on, Django's
    page with the traceback stays, and so do the browsable API's pages."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        content_type = response.get("Content-Type", "")
        client_error = 400 <= response.status_code < 500
        if not client_error or content_type.startswith("application/json") or not is_api(request):
            return response
        if isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            return response
        if response.status_code == 405:
            detail = f'Method "{request.method}" not allowed.'
        else:
            detail = f"{response.reason_phrase}."
        answer = JsonResponse({"detail": detail}, status=response.status_code)
        for header, value in response.items():
            if header.lower() not in {"content-type", "content-length"}:
                answer[header] = value
        return answer

    return middleware
